// Vision: EfficientNet-Lite0: weights, layers, the network, image preprocessing and ImageNet labels.
// (Module placeholder: delete this file once the module has real sources.)
