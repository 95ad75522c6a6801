// Tests for AudioOutput. (Placeholder: delete once the target has real tests.)
