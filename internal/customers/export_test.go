package customers

// AssembleOpenAPI lets the tests assemble a document from other files,
// to check the merge itself.
var AssembleOpenAPI = assembleOpenAPI
