// The [server] and [ledger] settings the HTTP gateway runs with.
#pragma once

#include <filesystem>
#include <string>

#include <toml++/toml.h>

#include "server/cors.h"
#include "server/request_parser.h"

namespace tq {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                   // 0: any free port (tests)
  int threads = 16;                  // HTTP worker threads (a kept-alive connection holds one)
  size_t max_body_bytes = 4u << 20;  // larger bodies get 413
  int listen_backlog = 1024;         // pending connections the kernel queues
  int keep_alive_max_count = 10000;  // requests per kept-alive connection
  int keep_alive_timeout_s = 5;
  std::filesystem::path ledger_path = "triptyque-ledger.sqlite";
  std::filesystem::path kb_path;  // [kb] path: serves /v1/kb/* (server/kb_api.h); empty: off
  std::string kb_embed_model;     // [kb.embeddings] model
  ParseLimits limits;
  CorsOptions cors;  // [server.cors]
  // [server.tls] cert, key: PEM files; HTTPS when both are set, HTTP when neither is.
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  bool tls() const { return !tls_cert.empty(); }

  // [server] host, port, threads, max_body_bytes, max_tokens, listen_backlog,
  // keep_alive_max_count, keep_alive_timeout_s; [server.cors]; [server.tls] cert and key;
  // [ledger] path, [kb] path and [kb.embeddings] model (paths relative to base_dir, the
  // config file's folder).
  static ServerOptions from_config(const toml::table& config,
                                   const std::filesystem::path& base_dir);
};

}  // namespace tq
