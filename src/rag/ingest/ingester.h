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
  size_t commit_every_chunks = 20000;  // WriteBatch group size
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

// Files are written in groups (WriteBatch): finish() commits the last one, and so does
// the destructor (every document of a group is whole, so committing it is always safe).
class Ingester {
 public:
  Ingester(KnowledgeBase& kb, IngestOptions options);
  ~Ingester();
  Ingester(const Ingester&) = delete;
  Ingester& operator=(const Ingester&) = delete;
  FileResult ingest_file(const std::string& path);
  // Parsed elsewhere (the HTTP API): stores `parsed` as the document `source`.
  FileResult ingest_parsed(const std::string& source, const std::string& content_hash, size_t bytes,
                           const ParsedDocument& parsed);
  void finish();
  const Collection& collection() const { return collection_; }

 private:
  KnowledgeBase& kb_;
  IngestOptions options_;
  Collection collection_;
  WriteBatch batch_;
};

}  // namespace tq::rag
