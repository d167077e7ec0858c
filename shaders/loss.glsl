// Per-element loss terms and their derivatives, shared by the loss forward (reduction) and backward shaders.

// Binary cross-entropy on a logit z with target t, in the stable form max(z,0) - z t + log(1 + e^-|z|):
// never exponentiates a positive number, so it neither overflows nor loses the small-loss tail to 1 - p.
float bce_term(float z, float t) { return max(z, 0.0) - z * t + log(1.0 + exp(-abs(z))); }
// d/dz = sigmoid(z) - t; 1/(1 + e^-z) saturates to 0 or 1, never NaN.
float bce_grad(float z, float t) { return 1.0 / (1.0 + exp(-z)) - t; }

float mse_term(float z, float t) { float d = z - t; return d * d; }
float mse_grad(float z, float t) { return 2.0 * (z - t); }

// KL(N(mu, e^lv) || N(0, 1)) per latent dimension, lv = log sigma^2.
float kl_term(float mu, float lv) { return -0.5 * (1.0 + lv - mu * mu - exp(lv)); }
