#version 450
// One Adam step over a whole parameter arena (PyTorch/Keras formula, eps added to the bias-corrected sqrt):
//   t = state.step + 1;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
//   p -= state.lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
// lr and t come from the StepState buffer so the recorded step never changes. Weight decay wd (push
// constant): L2 (g += wd p, PyTorch's Adam) or, decoupled, p *= 1 - lr wd first (PyTorch's AdamW); wd = 0
// leaves the formula above untouched. Nothing moves once state.halted is set (a non-finite step).
// Threads: one per parameter, 256 per workgroup, tail bounds-checked.
// Bindings: 0 params [count] read-write (updated in place); 1 grads [count] read;
//           2 m [count] read-write (updated); 3 v [count] read-write (updated); 4 state StepState read.
layout(local_size_x = 256) in;
#include "step_state.glsl"
layout(std430, binding = 0) buffer Params { float params[]; };
layout(std430, binding = 1) readonly buffer Grads { float grads[]; };
layout(std430, binding = 2) buffer M { float m[]; };
layout(std430, binding = 3) buffer V { float v[]; };
layout(std430, binding = 4) readonly buffer StateBuffer { StepState state; };
layout(push_constant) uniform Push {
  uint count; float beta1; float beta2; float eps; float weight_decay; uint decoupled;
} p;

// 1 - beta^t, carried as the complement q_e = 1 - beta^e through exponentiation by squaring:
// q_2e = q_e (2 - q_e) and q_(a+b) = q_a + q_b - q_a q_b. 1 - pow(beta, t) in float would cancel
// catastrophically for small t (0.999^2 keeps ~4 significant digits of 1 - 0.999^2), and GLSL's pow is loose.
float one_minus_pow(float beta, uint t) {
  float result = 0.0;        // 1 - beta^0
  float base = 1.0 - beta;   // 1 - beta^(2^k); exact for beta in [0.5, 1]
  while (t != 0u) {
    if ((t & 1u) != 0u) result = result + base - result * base;
    base = base * (2.0 - base);
    t >>= 1u;
  }
  return result;
}

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count || state.halted != 0u) return;
  uint t = state.step + 1u;
  float g = grads[i];
  float param = params[i];
  if (p.weight_decay != 0.0) {
    if (p.decoupled != 0u)
      param *= 1.0 - state.lr * p.weight_decay;
    else
      g += p.weight_decay * param;
  }
  float mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  float vi = p.beta2 * v[i] + (1.0 - p.beta2) * (g * g);
  m[i] = mi;
  v[i] = vi;
  float m_hat = mi / one_minus_pow(p.beta1, t);
  float v_hat = vi / one_minus_pow(p.beta2, t);
  params[i] = param - state.lr * m_hat / (sqrt(v_hat) + p.eps);
}
