// Structure-following chunking: a chunk never spans two sections (headings, pages);
// paragraphs are packed up to `max_words`; a longer paragraph is cut into windows that
// overlap by `overlap_words` so a sentence on a cut is whole in one of them.
#pragma once

#include <string>
#include <vector>

#include "rag/ingest/parsed.h"

namespace tq::rag {

struct ChunkingOptions {
  size_t max_words = 200;
  size_t overlap_words = 40;
};

// Throws InputError when overlap ≥ size or size is 0.
void check_chunking(const ChunkingOptions& o);

std::vector<ChunkInput> chunk_document(const ParsedDocument& doc, const ChunkingOptions& o);

}  // namespace tq::rag
