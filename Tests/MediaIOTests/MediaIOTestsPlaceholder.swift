// Tests for MediaIO. (Placeholder: delete once the target has real tests.)
