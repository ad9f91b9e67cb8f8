// Cross-origin requests from browsers ([server.cors]): a web page on an allowed origin may
// call the API with its key. Preflights (OPTIONS on any path) are answered 204 with the
// methods, the request headers the gateway reads and how long the browser may cache the
// answer; every other response — JSON, server-sent events, errors — names the origin when
// it is allowed. Without [server.cors] nothing is added and OPTIONS is unknown (404).
#pragma once

#include <string>
#include <vector>

#include <toml++/toml.h>

namespace httplib {
class Server;
}

namespace tq {

struct CorsOptions {
  std::vector<std::string> origins;  // exact "scheme://host[:port]"; "*": any origin
  int max_age_s = 600;               // Access-Control-Max-Age of preflight answers
  bool enabled() const { return !origins.empty(); }
  bool allows(const std::string& origin) const;

  // [server.cors] origins = [...], max_age_s.
  static CorsOptions from_config(const toml::table& config);
};

// Adds the OPTIONS handler and the headers on every response; nothing when disabled.
void install_cors(httplib::Server& server, const CorsOptions& cors);

}  // namespace tq
