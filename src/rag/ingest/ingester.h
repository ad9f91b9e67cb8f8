// Files → knowledge base: format by extension, parse, chunk, store. Each file is one
// transaction; a file that fails to parse is reported (path + reason) and skipped while
// the others go in.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "rag/ingest/chunker.h"
#include "rag/ingest/parsed.h"
#include "rag/store.h"

namespace tq::rag {

struct IngestOptions {
  std::string collection;
  std::string label = "internal";
  AnalyzerOptions analysis{"fr", true, true};
  ChunkingOptions chunking;
  CatalogMapping catalog;
};

struct FileResult {
  enum class Status { added, replaced, unchanged, failed };
  std::string path;
  Status status = Status::failed;
  size_t chunks = 0;
  std::string error;  // why it failed
};

const char* to_string(FileResult::Status s);

// Parses `data` as the format `path`'s extension names; InputError for unknown ones.
ParsedDocument parse_by_extension(const std::string& path, std::string_view data,
                                  const CatalogMapping& mapping);

// Files under the given paths (directories recursively, supported extensions only,
// sorted); a missing path is an InputError.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs);

class Ingester {
 public:
  Ingester(KnowledgeBase& kb, IngestOptions options);
  FileResult ingest_file(const std::string& path);
  const Collection& collection() const { return collection_; }

 private:
  KnowledgeBase& kb_;
  IngestOptions options_;
  Collection collection_;
};

}  // namespace tq::rag
