package customers

// AssembleOpenAPI lets the tests assemble the document from other files
// (the pending parts of endpoints still being built).
var AssembleOpenAPI = assembleOpenAPI
