// triptyque search: BM25 retrieval over the knowledge base with snippets and citations.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/kb_options.h"
#include "core/error.h"
#include "rag/retriever.h"

namespace tq::cli {
namespace {

struct SearchCliOptions {
  std::string query;
  std::string kb = default_kb_path();
  std::vector<std::string> collections;
  std::vector<std::string> labels = {"public", "internal"};
  std::vector<std::string> filters;
  size_t k = 5;
  bool prf = false;
  bool json = false;
};

int run_search(const SearchCliOptions& o) {
  rag::KnowledgeBase kb(o.kb);
  rag::Retriever r(kb);
  rag::SearchOptions so;
  so.k = o.k;
  so.collections = o.collections;
  so.labels = o.labels;
  so.prf.enabled = o.prf;
  for (const auto& f : o.filters) {
    auto eq = f.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError("--filter takes FIELD=VALUE, got '" + f + "'");
    so.field_filters[f.substr(0, eq)] = f.substr(eq + 1);
  }
  auto hits = r.search(o.query, so);
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& h : hits) {
      j.push_back({{"chunk_id", h.chunk_id},
                   {"document_id", h.document_id},
                   {"collection", h.collection},
                   {"source", h.source},
                   {"location", h.location},
                   {"title", h.title},
                   {"score", h.score},
                   {"snippet", h.snippet},
                   {"citation", h.citation()},
                   {"fields", h.fields}});
    }
    std::printf("%s\n", nlohmann::json{{"query", o.query}, {"hits", j}}
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                            .c_str());
    return kExitOk;
  }
  if (hits.empty()) std::printf("no results\n");
  for (size_t i = 0; i < hits.size(); ++i) {
    const auto& h = hits[i];
    std::printf("%zu. [%.3f] %s\n   %s\n   %s\n", i + 1, h.score, h.title.c_str(),
                h.citation().c_str(), h.snippet.c_str());
  }
  return kExitOk;
}

}  // namespace

Action register_search(CLI::App& app) {
  auto o = std::make_shared<SearchCliOptions>();
  CLI::App* cmd =
      app.add_subcommand("search", "Search the knowledge base (BM25, snippets, citations)");
  cmd->add_option("query", o->query, "What to look for")->required();
  cmd->add_option("--kb", o->kb, "Knowledge-base file (default $TQ_KB or ./triptyque-kb.sqlite)");
  cmd->add_option("-c,--collection", o->collections, "Only these collections (repeatable)");
  cmd->add_option("--label", o->labels, "Access labels the caller may read (repeatable)")
      ->capture_default_str();
  cmd->add_option("--filter", o->filters,
                  "Field filter FIELD=VALUE, e.g. vendor=Acme (repeatable)");
  cmd->add_option("-k", o->k, "Number of results")->capture_default_str();
  cmd->add_flag("--prf", o->prf, "Pseudo-relevance feedback (expand the query from the top hits)");
  cmd->add_flag("--json", o->json, "JSON output");
  return [o] { return run_search(*o); };
}

}  // namespace tq::cli
