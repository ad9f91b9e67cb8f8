// The knowledge base as the tasks see it: passages for a query (support_answer, the landing
// pages of seo_clusters) and catalogue records by identifier (product_description's `sku`,
// the records of a plan). One SQLite connection behind a mutex: tasks on many HTTP threads
// and plan steps in parallel take turns, and a BM25 query takes milliseconds.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/jobs/context.h"

namespace tq::rag {
class KnowledgeBase;
class Retriever;
}  // namespace tq::rag

namespace tq::tasks {

class KnowledgeSource {
 public:
  // Opens an existing knowledge-base file (InputError naming it, and how to make one, when
  // it does not exist). Only chunks of collections with one of `labels` are ever returned.
  KnowledgeSource(const std::filesystem::path& path, std::vector<std::string> labels);
  ~KnowledgeSource();
  KnowledgeSource(const KnowledgeSource&) = delete;
  KnowledgeSource& operator=(const KnowledgeSource&) = delete;

  // BM25 top-k, best first, with the chunk's whole text.
  std::vector<Passage> retrieve(const std::string& query, int k);

  // The catalogue row whose `sku`, `handle`, `id` or `ref` field is `id`: its fields, with
  // `title` and `description` (the chunk's title and body) added.
  std::optional<nlohmann::json> record(const std::string& id);

  // Every catalogue row of `collection` (fields + title + description), in ingestion order;
  // InputError when the collection does not exist or may not be read.
  std::vector<nlohmann::json> records(const std::string& collection);

  const std::filesystem::path& path() const { return path_; }
  const std::vector<std::string>& labels() const { return labels_; }

 private:
  std::filesystem::path path_;
  std::vector<std::string> labels_;
  std::mutex mutex_;
  std::unique_ptr<rag::KnowledgeBase> kb_;
  std::unique_ptr<rag::Retriever> retriever_;
};

}  // namespace tq::tasks
