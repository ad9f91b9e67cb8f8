#include "rag/ir_eval.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "core/error.h"
#include "rag/sqlite_util.h"

namespace tq::rag::eval {
namespace {

std::ifstream open_or_throw(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read " + path);
  return in;
}

struct GlasgowRecord {
  std::string id;
  std::map<char, std::string> fields;
};

std::vector<GlasgowRecord> read_glasgow(const std::string& path) {
  auto in = open_or_throw(path);
  std::vector<GlasgowRecord> out;
  std::string line;
  char field = 0;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.size() >= 2 && line[0] == '.' && std::isupper(static_cast<unsigned char>(line[1])) &&
        (line.size() == 2 || line[2] == ' ' || line[2] == '\t')) {
      if (line[1] == 'I') {
        GlasgowRecord r;
        std::istringstream s(line.substr(2));
        s >> r.id;
        if (r.id.empty())
          throw InputError(path + ":" + std::to_string(lineno) + ": .I without an id");
        out.push_back(std::move(r));
        field = 0;
      } else {
        field = line[1];
      }
      continue;
    }
    if (out.empty() || field == 0) continue;
    auto& f = out.back().fields[field];
    if (!f.empty()) f += '\n';
    f += line;
  }
  return out;
}

std::string strip_leading_zeros(const std::string& s) {
  size_t i = 0;
  while (i + 1 < s.size() && s[i] == '0') ++i;
  return s.substr(i);
}

}  // namespace

std::vector<IrDocument> read_glasgow_documents(const std::string& path) {
  std::vector<IrDocument> out;
  for (auto& r : read_glasgow(path)) {
    out.push_back({strip_leading_zeros(r.id), r.fields['T'], r.fields['W']});
  }
  if (out.empty()) throw InputError(path + ": no .I records (expected the Glasgow format)");
  return out;
}

std::vector<IrQuery> read_glasgow_queries(const std::string& path, bool by_position) {
  std::vector<IrQuery> out;
  size_t pos = 0;
  for (auto& r : read_glasgow(path)) {
    ++pos;
    std::string text = r.fields['W'];
    if (text.empty()) text = r.fields['T'];
    out.push_back({by_position ? std::to_string(pos) : strip_leading_zeros(r.id), text});
  }
  if (out.empty()) throw InputError(path + ": no .I records (expected the Glasgow format)");
  return out;
}

Qrels read_qrels(const std::string& path, const std::string& format) {
  if (format != "cranfield" && format != "cisi" && format != "trec") {
    throw InputError("unknown qrels format '" + format + "': use cranfield, cisi or trec");
  }
  auto in = open_or_throw(path);
  Qrels out;
  std::string line;
  size_t lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::istringstream s(line);
    std::string q;
    std::string d;
    std::string third;
    std::string fourth;
    if (!(s >> q)) continue;  // blank line
    double gain = 0;
    if (format == "trec") {
      if (!(s >> third >> d >> fourth)) {
        throw InputError(path + ":" + std::to_string(lineno) + ": expected `query 0 doc rel`");
      }
      gain = std::stod(fourth);
    } else {
      if (!(s >> d >> third)) {
        throw InputError(path + ":" + std::to_string(lineno) + ": expected `query doc grade`");
      }
      if (format == "cranfield") {
        int grade = std::stoi(third);
        gain = grade >= 1 && grade <= 4 ? 5.0 - grade : 0.0;
      } else {
        gain = 1.0;
      }
    }
    if (gain > 0) out[strip_leading_zeros(q)][strip_leading_zeros(d)] = gain;
  }
  return out;
}

IrCollection read_squad(const std::string& path, bool index_titles) {
  auto in = open_or_throw(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path + ": not JSON: " + e.what());
  }
  if (!j.contains("data") || !j["data"].is_array()) {
    throw InputError(path + ": no `data` array (expected the SQuAD format)");
  }
  IrCollection out;
  size_t paragraph_no = 0;
  size_t question_no = 0;
  for (const auto& article : j["data"]) {
    std::string title = article.value("title", "");
    bool by_article = article.contains("id");
    std::string article_id = by_article ? "a" + article["id"].dump() : "";
    IrDocument article_doc{article_id, "", ""};
    for (const auto& p : article.value("paragraphs", nlohmann::json::array())) {
      std::string context = p.value("context", "");
      std::string doc_id = by_article ? article_id : "p" + std::to_string(paragraph_no++);
      if (by_article) {
        article_doc.body += (article_doc.body.empty() ? "" : "\n") + context;
      } else {
        out.documents.push_back({doc_id, index_titles ? title : "", context});
      }
      for (const auto& qa : p.value("qas", nlohmann::json::array())) {
        std::string qid = "q" + std::to_string(question_no++);
        out.queries.push_back({qid, qa.value("question", "")});
        out.qrels[qid][doc_id] = 1.0;
      }
    }
    if (by_article) out.documents.push_back(std::move(article_doc));
  }
  return out;
}

Metrics score_ranking(const std::vector<std::string>& ranking,
                      const std::map<std::string, double>& judged) {
  Metrics m;
  if (judged.empty()) return m;
  m.queries = 1;
  double dcg = 0;
  double ap_sum = 0;
  size_t found = 0;
  size_t found100 = 0;
  size_t found5 = 0;
  for (size_t i = 0; i < ranking.size(); ++i) {
    auto it = judged.find(ranking[i]);
    if (it == judged.end() || it->second <= 0) continue;
    size_t rank = i + 1;
    ++found;
    if (rank <= 10) dcg += it->second / std::log2(static_cast<double>(rank) + 1.0);
    if (rank <= 100) ++found100;
    if (rank <= 5) ++found5;
    if (rank <= 10 && m.mrr10 == 0) m.mrr10 = 1.0 / static_cast<double>(rank);
    ap_sum += static_cast<double>(found) / static_cast<double>(rank);
  }
  std::vector<double> gains;
  gains.reserve(judged.size());
  for (const auto& [doc, g] : judged) gains.push_back(g);
  std::sort(gains.rbegin(), gains.rend());
  double idcg = 0;
  for (size_t i = 0; i < gains.size() && i < 10; ++i) {
    idcg += gains[i] / std::log2(static_cast<double>(i) + 2.0);
  }
  const auto nrel = static_cast<double>(judged.size());
  m.ndcg10 = idcg > 0 ? dcg / idcg : 0;
  m.map = ap_sum / nrel;
  m.recall100 = static_cast<double>(found100) / nrel;
  m.recall5 = static_cast<double>(found5) / nrel;
  return m;
}

Metrics evaluate(const IrCollection& collection, const EvalOptions& options) {
  KnowledgeBase kb(":memory:");
  Collection c = kb.ensure_collection("eval", "public", options.analysis);
  {
    // One transaction for the whole load: this is a scratch store.
    Transaction tx(kb.db());
    Stmt doc(kb.db(),
             "INSERT INTO documents(collection_id, source, content_hash, ingested_at)"
             " VALUES(?, ?, '', '')");
    Stmt chunk(kb.db(),
               "INSERT INTO chunks(document_id, collection_id, ordinal, title, body, location)"
               " VALUES(?, ?, 0, ?, ?, '')");
    for (const auto& d : collection.documents) {
      doc.bind(1, c.id).bind(2, d.id).run();
      doc.reset();
      chunk.bind(1, static_cast<int64_t>(sqlite3_last_insert_rowid(kb.db())))
          .bind(2, c.id)
          .bind(3, d.title)
          .bind(4, d.body);
      chunk.run();
      chunk.reset();
    }
    tx.commit();
  }
  std::unordered_map<int64_t, std::string> doc_of_chunk;
  {
    Stmt s(kb.db(), "SELECT k.id, d.source FROM chunks k JOIN documents d ON d.id = k.document_id");
    while (s.step()) doc_of_chunk[s.int64(0)] = s.text(1);
  }
  Retriever retriever(kb);
  SearchOptions so;
  so.collections = {"eval"};
  so.bm25 = options.bm25;
  so.prf = options.prf;
  Metrics sum;
  for (const auto& q : collection.queries) {
    auto judged = collection.qrels.find(q.id);
    if (judged == collection.qrels.end() || judged->second.empty()) continue;
    std::vector<std::string> ranking;
    for (const auto& [chunk, score] : retriever.rank_bm25(q.text, so, options.depth)) {
      ranking.push_back(doc_of_chunk[chunk]);
    }
    Metrics m = score_ranking(ranking, judged->second);
    sum.ndcg10 += m.ndcg10;
    sum.map += m.map;
    sum.recall100 += m.recall100;
    sum.recall5 += m.recall5;
    sum.mrr10 += m.mrr10;
    sum.queries += 1;
  }
  if (sum.queries > 0) {
    auto n = static_cast<double>(sum.queries);
    sum.ndcg10 /= n;
    sum.map /= n;
    sum.recall100 /= n;
    sum.recall5 /= n;
    sum.mrr10 /= n;
  }
  return sum;
}

}  // namespace tq::rag::eval
