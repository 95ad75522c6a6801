// Tests for Engine. (Placeholder: delete once the target has real tests.)
