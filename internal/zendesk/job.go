package zendesk

// jobRoutes registers the bulk endpoints and job statuses.
func (h *Handler) jobRoutes() {}
