#include "server/cors.h"

#include <httplib.h>

#include <algorithm>

#include "core/config.h"
#include "core/error.h"
#include "server/http_util.h"

namespace tq {

bool CorsOptions::allows(const std::string& origin) const {
  if (origin.empty()) return false;  // not a cross-origin browser request
  return std::any_of(origins.begin(), origins.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

CorsOptions CorsOptions::from_config(const toml::table& config) {
  CorsOptions o;
  if (const auto* node = config.at_path("server.cors.origins").node()) {
    const auto* arr = node->as_array();
    if (arr == nullptr) throw InputError("server.cors.origins must be an array of strings");
    for (const auto& v : *arr) {
      const auto* s = v.as_string();
      if (s == nullptr || s->get().empty())
        throw InputError("server.cors.origins must be an array of non-empty strings");
      const std::string& origin = s->get();
      // Browsers send the origin without a path or a trailing slash; a configured one with
      // them would never match.
      const size_t scheme_end = origin.find("://");
      if (origin != "*" && (scheme_end == std::string::npos ||
                            origin.find('/', scheme_end + 3) != std::string::npos))
        throw InputError("server.cors.origins: '" + origin +
                         "' is not an origin such as \"https://app.example.com\" (scheme, "
                         "host and port only, no trailing slash) or \"*\"");
      o.origins.push_back(origin);
    }
  }
  if (auto v = config_int(config, "server.cors.max_age_s")) {
    if (*v < 0 || *v > 86400) throw InputError("server.cors.max_age_s must be between 0 and 86400");
    o.max_age_s = static_cast<int>(*v);
  }
  return o;
}

void install_cors(httplib::Server& server, const CorsOptions& cors) {
  if (!cors.enabled()) return;
  server.Options(R"(.*)", [cors](const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    if (!cors.allows(origin)) {
      send_error(res, 403, "the origin '" + origin + "' is not in server.cors.origins", "",
                 "origin_not_allowed");
      return;
    }
    res.status = 204;
    res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "authorization, content-type, x-triptyque-data");
    res.set_header("Access-Control-Max-Age", std::to_string(cors.max_age_s));
  });
  // After the handler (and the error handler), before the headers are written: this also
  // reaches streamed answers, whose handler returned before the first event.
  server.set_post_routing_handler([cors](const httplib::Request& req, httplib::Response& res) {
    const std::string origin = req.get_header_value("Origin");
    if (!cors.allows(origin)) return;
    // The origin itself, not "*": the answer depends on it, so caches must keep it apart.
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Vary", "Origin");
    res.set_header("Access-Control-Expose-Headers",
                   "x-triptyque-route, x-triptyque-reason, x-triptyque-served-by, "
                   "x-triptyque-cost-eur, retry-after");
  });
}

}  // namespace tq
