// Kernels: SIMD kernels and BLAS calls: convolutions, dot products, reductions. Always built optimised.
// (Module placeholder: delete this file once the module has real sources.)
