#include "server/routing.h"

namespace tq {

GatewayRoute route_request(const ProviderRegistry& registry, const ParsedRequest& request) {
  GatewayRoute r;
  const auto resolved = registry.resolve(request.model);
  if (!resolved) {
    r.error_status = 404;
    r.error_code = "model_not_found";
    r.reason = "The model '" + request.model +
               "' does not exist (GET /v1/models lists the models served here)";
    return r;
  }
  if (request.local_only && !resolved->provider->is_local()) {
    // Fail closed: local-only data never leaves the machine, even when asked explicitly.
    r.error_status = 403;
    r.error_code = "local_only";
    r.reason = "the request carries local-only data and '" + request.model +
               "' is served by the remote provider " + resolved->provider->name();
    return r;
  }
  r.provider = resolved->provider;
  r.model = resolved->model;
  r.route = "explicit";
  r.reason = "model " + request.model + " requested explicitly, served by provider " +
             resolved->provider->name();
  return r;
}

}  // namespace tq
