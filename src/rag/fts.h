// SQLite FTS5 extensions registered on each knowledge-base connection:
//  - tokenizer "tq": the Analyzer (folding, elisions, Snowball stems, stopwords) with its
//    options given in the table definition: tokenize = 'tq language fr stem 1 stopwords 0';
//  - ranking function tq_bm25(fts, k1, b, 'column weights', 'phrase weights'): BM25 with
//    tunable k1/b (FTS5's own bm25() fixes them at 1.2/0.75) and a weight per query
//    phrase, which pseudo-relevance feedback needs to weight expansion terms.
#pragma once

#include <sqlite3.h>

#include <string>

#include "rag/analyzer.h"

namespace tq::rag {

// Registers both on `db`; throws tq::Error when FTS5 is missing.
void register_fts_extensions(sqlite3* db);

// The `tokenize = '…'` argument for a table analysed with `options`.
std::string fts_tokenize_arg(const AnalyzerOptions& options);

}  // namespace tq::rag
