// Tests for WebUI. (Placeholder: delete once the target has real tests.)
