// triptyque kb ls|rm|stats|optimize: what the knowledge base holds, and removing collections or
// single documents.
#include <sys/stat.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/kb_options.h"
#include "core/error.h"
#include "rag/store.h"

namespace tq::cli {
namespace {

struct KbOptions {
  std::string kb = default_kb_path();
  std::string collection;
  std::string document;
  bool json = false;
};

nlohmann::json collection_json(const rag::Collection& c) {
  return {{"name", c.name},
          {"label", c.label},
          {"language", c.analysis.language},
          {"stem", c.analysis.stem},
          {"stopwords", c.analysis.stopwords},
          {"documents", c.documents},
          {"chunks", c.chunks}};
}

int run_ls(const KbOptions& o) {
  rag::KnowledgeBase kb(o.kb);
  auto cs = kb.collections();
  if (o.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& c : cs) j.push_back(collection_json(c));
    std::printf("%s\n", j.dump().c_str());
    return kExitOk;
  }
  if (cs.empty())
    std::printf("no collections in %s (add some with `triptyque ingest`)\n", o.kb.c_str());
  for (const auto& c : cs) {
    std::printf("%-24s %-12s %-4s %8lld documents %10lld chunks\n", c.name.c_str(), c.label.c_str(),
                c.analysis.language.c_str(), static_cast<long long>(c.documents),
                static_cast<long long>(c.chunks));
  }
  return kExitOk;
}

int run_rm(const KbOptions& o) {
  rag::KnowledgeBase kb(o.kb);
  auto c = kb.find_collection(o.collection);
  if (!c) throw InputError("no collection '" + o.collection + "' (see `triptyque kb ls`)");
  bool removed =
      o.document.empty() ? kb.remove_collection(o.collection) : kb.remove_document(*c, o.document);
  if (!removed) throw InputError("no document '" + o.document + "' in " + o.collection);
  if (o.json) {
    std::printf(
        "%s\n",
        nlohmann::json{{"removed", o.document.empty() ? o.collection : o.document}}.dump().c_str());
  } else {
    std::printf("removed %s\n", o.document.empty() ? o.collection.c_str() : o.document.c_str());
  }
  return kExitOk;
}

int run_stats(const KbOptions& o) {
  rag::KnowledgeBase kb(o.kb);
  auto cs = kb.collections();
  long long docs = 0;
  long long chunks = 0;
  for (const auto& c : cs) {
    docs += c.documents;
    chunks += c.chunks;
  }
  struct stat st {};
  long long bytes = ::stat(o.kb.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : 0;
  nlohmann::json j = {{"path", o.kb},
                      {"schema_version", kb.schema_version()},
                      {"generation", kb.generation()},
                      {"collections", cs.size()},
                      {"documents", docs},
                      {"chunks", chunks},
                      {"bytes", bytes}};
  if (o.json) {
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf(
        "%s: schema v%d, generation %lld, %zu collections, %lld documents, %lld chunks, %lld "
        "bytes\n",
        o.kb.c_str(), kb.schema_version(), static_cast<long long>(kb.generation()), cs.size(), docs,
        chunks, bytes);
  }
  return kExitOk;
}

int run_optimize(const KbOptions& o) {
  rag::KnowledgeBase kb(o.kb);
  std::vector<rag::Collection> targets;
  if (o.collection.empty()) {
    targets = kb.collections();
  } else if (auto c = kb.find_collection(o.collection)) {
    targets.push_back(*c);
  } else {
    throw InputError("no collection named " + o.collection);
  }
  nlohmann::json done = nlohmann::json::array();
  for (const auto& c : targets) {
    kb.optimize(c);
    done.push_back(c.name);
    if (!o.json) std::printf("optimized %s\n", c.name.c_str());
  }
  if (o.json) std::printf("%s\n", nlohmann::json{{"optimized", done}}.dump().c_str());
  return kExitOk;
}

}  // namespace

Action register_kb(CLI::App& app) {
  auto o = std::make_shared<KbOptions>();
  CLI::App* cmd = app.add_subcommand("kb", "Knowledge base: list, remove, statistics");
  cmd->require_subcommand(1);
  cmd->add_option("--kb", o->kb, "Knowledge-base file (default $TQ_KB or ./triptyque-kb.sqlite)");
  cmd->add_flag("--json", o->json, "JSON output");
  auto* ls = cmd->add_subcommand("ls", "List the collections");
  auto* rm = cmd->add_subcommand("rm", "Remove a collection, or one document of it");
  rm->add_option("collection", o->collection, "Collection name")->required();
  rm->add_option("document", o->document, "Document source path (as `kb ls` / search show it)");
  auto* stats = cmd->add_subcommand("stats", "Sizes and schema version");
  auto* optimize = cmd->add_subcommand(
      "optimize", "After bulk loads: merge the full-text index, compute missing score bounds");
  optimize->add_option("collection", o->collection, "Only this collection");
  for (auto* s : {ls, rm, stats, optimize}) {
    s->add_option("--kb", o->kb, "Knowledge-base file");
    s->add_flag("--json", o->json, "JSON output");
  }
  return [o, ls, rm, optimize] {
    if (ls->parsed()) return run_ls(*o);
    if (rm->parsed()) return run_rm(*o);
    if (optimize->parsed()) return run_optimize(*o);
    return run_stats(*o);
  };
}

}  // namespace tq::cli
