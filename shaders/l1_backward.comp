#version 450
// L1 activity penalty gradient: da = scale * sign(a) (0 at a = 0, as PyTorch and TensorFlow take it);
// scale = lambda (times 1/batch for Keras semantics). Usually accumulated onto the activation's gradient.
// Threads: one per element, 256 per workgroup, tail bounds-checked.
// Bindings: 0 da [count] read-write (overwritten, or accumulated when p.accumulate != 0); 1 a [count] read.
layout(local_size_x = 256) in;
layout(std430, binding = 0) buffer DA { float da[]; };
layout(std430, binding = 1) readonly buffer A { float a[]; };
layout(push_constant) uniform Push { uint count; uint accumulate; float scale; uint pad; } p;

void main() {
  uint i = gl_GlobalInvocationID.x;
  if (i >= p.count) return;
  float g = p.scale * sign(a[i]);
  da[i] = p.accumulate != 0u ? da[i] + g : g;
}
