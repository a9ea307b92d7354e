// Starts Swagger UI on the Customers API's OpenAPI document. It lives in
// its own file, not inline, so the page's Content-Security-Policy can
// refuse every inline script.
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.body.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // The default sends the document to a validator on the internet.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    // "Try it out" calls this origin with the realm's session cookie too.
    withCredentials: true,
    persistAuthorization: false,
  });
});
