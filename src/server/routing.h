// The one place the server decides which provider and model answer a request. Today it
// resolves the requested model id through the registry (an explicit model goes to the
// provider that lists it); the router (src/router/) replaces the body of route_request
// and nothing else in the server changes: the route name and reason it returns go to the
// response headers (x-triptyque-route, x-triptyque-reason), /metrics and the ledger.
#pragma once

#include <optional>
#include <string>

#include "providers/registry.h"

namespace tq {

struct ParsedChatRequest;

// What the router may look at: the endpoint, the key, the model asked for, the request
// (null for embeddings) and whether the request carries local-only data.
struct ParsedRequest {
  std::string endpoint;     // chat | completions | embeddings
  std::string model;        // as the client wrote it ("auto" once the router lands)
  std::string key_name;     // "" when auth is off
  bool local_only = false;  // header x-triptyque-data: local-only
  const ParsedChatRequest* chat = nullptr;
};

// Named apart from the router's tq::Route (router/route.h): both are linked into one binary.
struct GatewayRoute {
  Provider* provider = nullptr;  // null: no route (the error says why)
  std::string model;             // the provider's own model name
  std::string route;             // short name: explicit, fallback, cascade, …
  std::string reason;            // one human-readable sentence
  int error_status = 0;          // when provider is null: 404 unknown model, 403 policy
  std::string error_code;        // OpenAI-style code (model_not_found, …)
};

GatewayRoute route_request(const ProviderRegistry& registry, const ParsedRequest& request);

}  // namespace tq
