// Activation functions shared by the elementwise shaders and any fused kernel. Kinds match nn::Activation.
const uint kIdentity = 0u, kRelu = 1u, kLeakyRelu = 2u, kSigmoid = 3u, kTanh = 4u;

float activate(float v, uint kind, float alpha) {
  if (kind == kRelu) return max(v, 0.0);
  if (kind == kLeakyRelu) return v > 0.0 ? v : alpha * v;
  // 1/(1+e^-v) overflows gracefully: exp(-v) -> inf gives 0, never NaN.
  if (kind == kSigmoid) return 1.0 / (1.0 + exp(-v));
  if (kind == kTanh) return tanh(v);
  return v;
}

// Derivative at input v with output out (the subgradient at 0 is 0, as PyTorch and Keras take it).
float activate_derivative(float v, float out_value, uint kind, float alpha) {
  if (kind == kRelu) return v > 0.0 ? 1.0 : 0.0;
  if (kind == kLeakyRelu) return v > 0.0 ? 1.0 : alpha;
  if (kind == kSigmoid) return out_value * (1.0 - out_value);
  if (kind == kTanh) return 1.0 - out_value * out_value;
  return 1.0;
}
