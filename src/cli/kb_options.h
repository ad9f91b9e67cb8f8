// Options shared by the knowledge-base subcommands (ingest, kb, search): the store path,
// the config's [kb] sections and the embedding function behind dense retrieval.
#pragma once

#include <cstdlib>
#include <string>

#include "rag/ingest/parsed.h"
#include "rag/retriever.h"

namespace tq::cli {

// --kb default: $TQ_KB, else ./triptyque-kb.sqlite.
inline std::string default_kb_path() {
  const char* env = std::getenv("TQ_KB");
  return env != nullptr && *env != 0 ? env : "triptyque-kb.sqlite";
}

// The [kb] part of a config file:
//   [kb] path = "kb.sqlite"
//   [kb.catalog] id = "Référence", title = "Désignation", body = ["Description"],
//                fields = [...], sku = "Référence", price = "Prix TTC"
//                (sku/price/... name the columns that become those fields)
//   [kb.embeddings] model = "bge-small" (a model of [providers.*], or "provider/model")
//                   or file = "bge-small.gguf" (a local GGUF embedding model)
//   [kb.fusion] bm25 = 1.0, dense = 1.0, k = 60
struct KbConfig {
  std::string path;  // empty: not set
  rag::CatalogMapping catalog;
  std::string embed_model;  // provider model id
  std::string embed_file;   // GGUF file
  rag::FusionWeights fusion;
};

// Reads `file` ("" → defaults). InputError names the bad key.
KbConfig load_kb_config(const std::string& file);

// An embedding function: a GGUF file run by the local engine (`file`), or a model of the
// config's providers (`model`). `name` receives the model name the embeddings are stored
// under. Returns an empty function when neither is given.
rag::EmbedFn make_embed_fn(const std::string& config_file, const std::string& file,
                           const std::string& model, std::string* name);

}  // namespace tq::cli
