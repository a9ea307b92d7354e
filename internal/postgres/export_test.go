package postgres

// AutocompleteQuery exposes the autocomplete query to the plan test.
var AutocompleteQuery = autocompleteQuery
