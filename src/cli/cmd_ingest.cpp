// triptyque ingest: files and folders into a knowledge-base collection. Unchanged files
// are skipped (content hash), changed ones replaced; a malformed file is reported with
// its reason and the rest still goes in (exit code 2 when any failed). With an embedding
// model (--embed-model or [kb.embeddings]) every chunk without an embedding gets one.
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/kb_options.h"
#include "core/error.h"
#include "rag/dense.h"
#include "rag/ingest/ingester.h"

namespace tq::cli {
namespace {

struct IngestCliOptions {
  std::vector<std::string> paths;
  std::string kb = default_kb_path();
  std::string collection;
  std::string label = "internal";
  std::string language = "fr";
  std::string stem = "on";
  std::string stopwords = "on";
  size_t chunk_words = 200;
  size_t overlap_words = 40;
  std::string id_column, title_column, body_column;
  std::string config;
  std::string embed_file;
  size_t commit_every = 20000;
  bool json = false;
  bool kb_given = false;
};

void progress(size_t done, size_t total, const std::string& path) {
  const int width = 30;
  int filled = total ? static_cast<int>(width * done / total) : width;
  std::string name = path.size() > 40 ? "…" + path.substr(path.size() - 39) : path;
  std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu %-42s", filled,
               "==============================", width - filled, "", done, total, name.c_str());
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

int run_ingest(const IngestCliOptions& o) {
  if (o.stem != "on" && o.stem != "off") throw InputError("--stem takes on or off");
  rag::IngestOptions io;
  io.collection = o.collection;
  io.label = rag::check_label(o.label);
  io.analysis.language = rag::normalize_language(o.language);
  io.analysis.stem = o.stem == "on";
  if (o.stopwords != "on" && o.stopwords != "off") throw InputError("--stopwords takes on or off");
  io.analysis.stopwords = o.stopwords == "on";
  io.chunking = {o.chunk_words, o.overlap_words};
  io.commit_every_chunks = o.commit_every;
  const KbConfig config = load_kb_config(o.config);
  io.catalog = config.catalog;
  if (!o.id_column.empty()) io.catalog.id_column = o.id_column;
  if (!o.title_column.empty()) io.catalog.title_column = o.title_column;
  if (!o.body_column.empty()) io.catalog.body_columns = {o.body_column};
  std::string embed_name;
  const rag::EmbedFn embed =
      make_embed_fn(o.config, o.embed_file.empty() ? config.embed_file : o.embed_file,
                    o.embed_file.empty() ? config.embed_model : "", &embed_name);
  auto files = rag::expand_inputs(o.paths);
  const std::string kb_path = o.kb_given || config.path.empty() ? o.kb : config.path;
  rag::KnowledgeBase kb(kb_path);
  rag::Ingester ingester(kb, io);
  const bool tty = isatty(fileno(stderr)) != 0 && !o.json;
  nlohmann::json results = nlohmann::json::array();
  size_t failed = 0;
  size_t chunks = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    if (tty) progress(i, files.size(), files[i]);
    auto r = ingester.ingest_file(files[i]);
    if (r.status == rag::FileResult::Status::failed) {
      ++failed;
      if (!o.json) {
        if (tty) std::fprintf(stderr, "\r%*s\r", 80, "");
        std::fprintf(stderr, "skipped %s: %s\n", r.path.c_str(), r.error.c_str());
      }
    }
    chunks += r.chunks;
    results.push_back({{"path", r.path},
                       {"status", rag::to_string(r.status)},
                       {"chunks", r.chunks},
                       {"error", r.error}});
  }
  ingester.finish();
  if (tty && !files.empty()) progress(files.size(), files.size(), "");
  size_t embedded = 0;
  if (embed) {
    // Resumable: only chunks without an embedding of this model are embedded.
    embedded = rag::embed_missing(kb, embed_name, embed, 32, [&](size_t done, size_t total) {
      if (tty) progress(done, total, "embeddings (" + embed_name + ")");
    });
  }
  if (o.json) {
    std::printf("%s\n", nlohmann::json{{"collection", o.collection},
                                       {"files", results},
                                       {"failed", failed},
                                       {"chunks", chunks},
                                       {"embedded", embedded}}
                            .dump()
                            .c_str());
  } else {
    size_t counts[4] = {0, 0, 0, 0};
    for (const auto& r : results) {
      std::string s = r["status"];
      counts[s == "added" ? 0 : s == "replaced" ? 1 : s == "unchanged" ? 2 : 3]++;
    }
    std::printf("%s: %zu added, %zu replaced, %zu unchanged, %zu failed (%zu chunks written)\n",
                o.collection.c_str(), counts[0], counts[1], counts[2], counts[3], chunks);
    if (embed) std::printf("%zu chunks embedded with %s\n", embedded, embed_name.c_str());
  }
  return failed > 0 ? kExitBadInput : kExitOk;
}

}  // namespace

Action register_ingest(CLI::App& app) {
  auto o = std::make_shared<IngestCliOptions>();
  CLI::App* cmd = app.add_subcommand("ingest",
                                     "Add files (txt, md, html, csv, tsv, json, jsonl, pdf, eml, "
                                     "docx, xlsx) to the knowledge base");
  cmd->add_option("paths", o->paths, "Files or folders (folders recursively)")->required();
  cmd->add_option("-c,--collection", o->collection, "Collection to add to (created if new)")
      ->required();
  cmd->add_option("--label", o->label,
                  "Access label of a new collection: public, internal, confidential")
      ->capture_default_str();
  cmd->add_option("--kb", o->kb,
                  "Knowledge-base file (default: kb.path, $TQ_KB or ./triptyque-kb.sqlite)")
      ->each([o](const std::string&) { o->kb_given = true; });
  cmd->add_option("--config", o->config,
                  "TOML config: [kb] path, [kb.catalog] column mapping, [kb.embeddings]")
      ->check(CLI::ExistingFile);
  cmd->add_option("--embed-model", o->embed_file,
                  "GGUF embedding model: store an embedding per chunk (dense retrieval)");
  cmd->add_option("--language", o->language, "Text analysis of a new collection: fr, en, none")
      ->capture_default_str();
  cmd->add_option("--stem", o->stem, "on or off: Snowball stemming")->capture_default_str();
  cmd->add_option("--stopwords", o->stopwords, "on or off: drop the language's function words")
      ->capture_default_str();
  cmd->add_option("--chunk-words", o->chunk_words, "Chunk size in words")->capture_default_str();
  cmd->add_option("--overlap-words", o->overlap_words, "Overlap between cut chunks, in words")
      ->capture_default_str();
  cmd->add_option("--id-column", o->id_column,
                  "Catalogue: rows with the same value are one item (Shopify: Handle)");
  cmd->add_option("--title-column", o->title_column, "Catalogue: the title column");
  cmd->add_option("--body-column", o->body_column, "Catalogue: the description column");
  cmd->add_option("--commit-every", o->commit_every,
                  "Commit after this many chunks (or a second); a kill loses at most that group, "
                  "which a re-run redoes")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--json", o->json, "Print a JSON report per file");
  return [o] { return run_ingest(*o); };
}

}  // namespace tq::cli
