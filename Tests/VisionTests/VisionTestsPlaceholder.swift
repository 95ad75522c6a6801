// Tests for Vision. (Placeholder: delete once the target has real tests.)
