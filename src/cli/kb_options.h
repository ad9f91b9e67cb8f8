// Options shared by the knowledge-base subcommands (ingest, kb, search).
#pragma once

#include <cstdlib>
#include <string>

namespace tq::cli {

// --kb default: $TQ_KB, else ./triptyque-kb.sqlite.
inline std::string default_kb_path() {
  const char* env = std::getenv("TQ_KB");
  return env != nullptr && *env != 0 ? env : "triptyque-kb.sqlite";
}

}  // namespace tq::cli
