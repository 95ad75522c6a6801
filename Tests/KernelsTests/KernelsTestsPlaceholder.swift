// Tests for Kernels. (Placeholder: delete once the target has real tests.)
