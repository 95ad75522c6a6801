// Corpus: The on-disk corpus: format, building (index) and nearest-frame search.
// (Module placeholder: delete this file once the module has real sources.)
