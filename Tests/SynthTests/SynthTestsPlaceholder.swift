// Tests for Synth. (Placeholder: delete once the target has real tests.)
