#include "rag/ingest/ingester.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "rag/ingest/sha256.h"

namespace tq::rag {
namespace fs = std::filesystem;
namespace {

std::string extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

bool supported(const std::string& ext) {
  static const char* const kExt[] = {".txt",    ".text", ".md",  ".markdown", ".html",
                                     ".htm",    ".csv",  ".tsv", ".json",     ".jsonl",
                                     ".ndjson", ".pdf",  ".eml", ".docx",     ".xlsx"};
  return std::any_of(std::begin(kExt), std::end(kExt), [&](const char* e) { return ext == e; });
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read the file");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

const char* to_string(FileResult::Status s) {
  switch (s) {
    case FileResult::Status::added:
      return "added";
    case FileResult::Status::replaced:
      return "replaced";
    case FileResult::Status::unchanged:
      return "unchanged";
    case FileResult::Status::failed:
      return "failed";
  }
  return "?";
}

ParsedDocument parse_by_extension(const std::string& path, std::string_view data,
                                  const CatalogMapping& mapping) {
  std::string ext = extension(path);
  if (ext == ".txt" || ext == ".text") return parse_text(data);
  if (ext == ".md" || ext == ".markdown") return parse_markdown(data);
  if (ext == ".html" || ext == ".htm") return parse_html(data);
  if (ext == ".csv") return parse_csv(data, ',', mapping);
  if (ext == ".tsv") return parse_csv(data, '\t', mapping);
  if (ext == ".json") return parse_json_catalog(data, false, mapping);
  if (ext == ".jsonl" || ext == ".ndjson") return parse_json_catalog(data, true, mapping);
  if (ext == ".pdf") return parse_pdf(data);
  if (ext == ".eml") return parse_eml(data);
  if (ext == ".docx") return parse_docx(data);
  if (ext == ".xlsx") return parse_xlsx(data, mapping);
  throw UnsupportedError("unsupported file type '" + ext +
                         "' (txt, md, html, csv, tsv, json, jsonl, pdf, eml, docx, xlsx)");
}

std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::recursive_directory_iterator(
               in, fs::directory_options::skip_permission_denied, ec)) {
        if (e.is_regular_file() && supported(extension(e.path().string()))) {
          found.push_back(e.path().string());
        }
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (fs::exists(in, ec)) {
      out.push_back(in);
    } else {
      throw InputError("no such file or directory: " + in);
    }
  }
  return out;
}

Ingester::Ingester(KnowledgeBase& kb, IngestOptions options)
    : kb_(kb), options_(std::move(options)), batch_(kb, options_.commit_every_chunks) {
  check_chunking(options_.chunking);
  collection_ = kb_.ensure_collection(options_.collection, options_.label, options_.analysis);
}

Ingester::~Ingester() {
  try {
    batch_.finish();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "triptyque: committing the last ingested files failed: %s\n", e.what());
  }
}

void Ingester::finish() {
  batch_.finish();
}

FileResult Ingester::ingest_parsed(const std::string& source, const std::string& content_hash,
                                   size_t bytes, const ParsedDocument& parsed) {
  FileResult r;
  r.path = source;
  DocumentInput doc;
  doc.source = source;
  doc.content_hash = content_hash;
  doc.metadata = parsed.metadata;
  doc.metadata["title"] = parsed.title;
  doc.metadata["bytes"] = bytes;
  doc.chunks = chunk_document(parsed, options_.chunking);
  r.chunks = doc.chunks.size();
  const PutOutcome o = batch_.put(collection_, doc);
  r.status = o == PutOutcome::added      ? FileResult::Status::added
             : o == PutOutcome::replaced ? FileResult::Status::replaced
                                         : FileResult::Status::unchanged;
  if (o == PutOutcome::unchanged) r.chunks = 0;
  return r;
}

FileResult Ingester::ingest_file(const std::string& path) {
  FileResult r;
  std::error_code ec;
  fs::path abs = fs::weakly_canonical(fs::absolute(path), ec);
  r.path = ec ? path : abs.string();
  try {
    std::string data = read_all(path);
    std::string hash = sha256_hex(data);
    if (kb_.is_current(collection_, r.path, hash)) {
      r.status = FileResult::Status::unchanged;
      return r;
    }
    ParsedDocument parsed = parse_by_extension(path, data, options_.catalog);
    const std::string source = r.path;
    r = ingest_parsed(source, hash, data.size(), parsed);
  } catch (const InputError& e) {
    r.status = FileResult::Status::failed;
    r.error = e.what();
  } catch (const UnsupportedError& e) {
    r.status = FileResult::Status::failed;
    r.error = e.what();
  }
  return r;
}

}  // namespace tq::rag
