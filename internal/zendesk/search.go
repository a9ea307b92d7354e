package zendesk

// searchRoutes registers the search endpoints.
func (h *Handler) searchRoutes() {}
