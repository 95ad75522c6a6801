// Tests for Corpus. (Placeholder: delete once the target has real tests.)
