#include "server/server_options.h"

#include "core/config.h"
#include "core/error.h"

namespace tq {

ServerOptions ServerOptions::from_config(const toml::table& config,
                                         const std::filesystem::path& base_dir) {
  ServerOptions o;
  if (auto v = config_string(config, "server.host")) o.host = *v;
  if (auto v = config_int(config, "server.port")) {
    if (*v < 0 || *v > 65535) throw InputError("server.port must be between 0 and 65535");
    o.port = static_cast<int>(*v);
  }
  if (auto v = config_int(config, "server.threads")) {
    if (*v < 1 || *v > 1024) throw InputError("server.threads must be between 1 and 1024");
    o.threads = static_cast<int>(*v);
  }
  if (auto v = config_int(config, "server.max_body_bytes")) {
    if (*v < 1024) throw InputError("server.max_body_bytes must be at least 1024");
    o.max_body_bytes = static_cast<size_t>(*v);
  }
  if (auto v = config_int(config, "server.max_tokens")) {
    if (*v < 1 || *v > (1 << 20))
      throw InputError("server.max_tokens must be between 1 and 1048576");
    o.limits.max_tokens = static_cast<int32_t>(*v);
  }
  auto bounded = [&](const char* key, int lo, int hi, int& out) {
    if (auto v = config_int(config, key)) {
      if (*v < lo || *v > hi)
        throw InputError(std::string(key) + " must be between " + std::to_string(lo) + " and " +
                         std::to_string(hi));
      out = static_cast<int>(*v);
    }
  };
  bounded("server.listen_backlog", 1, 65535, o.listen_backlog);
  bounded("server.keep_alive_max_count", 1, 1 << 30, o.keep_alive_max_count);
  bounded("server.keep_alive_timeout_s", 1, 3600, o.keep_alive_timeout_s);
  o.cors = CorsOptions::from_config(config);
  auto path_of = [&](const std::string& v) {
    const std::filesystem::path p(v);
    return p.is_absolute() ? p : base_dir / p;
  };
  const auto cert = config_string(config, "server.tls.cert");
  const auto key = config_string(config, "server.tls.key");
  if (cert.has_value() != key.has_value() || (cert && (cert->empty() || key->empty())))
    throw InputError("server.tls needs both cert and key (PEM files), or neither");
  if (cert) {
    o.tls_cert = path_of(*cert);
    o.tls_key = path_of(*key);
  }
  if (auto v = config_string(config, "ledger.path")) {
    const std::filesystem::path p(*v);
    o.ledger_path = p.is_absolute() ? p : base_dir / p;
  } else {
    o.ledger_path = base_dir / "triptyque-ledger.sqlite";
  }
  if (auto v = config_string(config, "kb.path")) {
    const std::filesystem::path p(*v);
    o.kb_path = p.is_absolute() ? p : base_dir / p;
  }
  o.kb_embed_model = config_string(config, "kb.embeddings.model").value_or("");
  return o;
}

}  // namespace tq
