// One recogniser per family of entities (a small interface, like a sampler in a chain):
// each appends its candidates, possibly overlapping, and the Scanner keeps the best.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "guard/entity.h"

namespace tq::guard {

class Recogniser {
 public:
  virtual ~Recogniser() = default;
  virtual void scan(std::string_view text, std::vector<Entity>& out) const = 0;
};

// Digit runs: PHONE (French national and E.164), CARD, SIRET, SIREN.
std::unique_ptr<Recogniser> make_number_recogniser();
// Codes with letters or their own layout: IBAN, VAT, NIR (incl. Corsica 2A/2B).
std::unique_ptr<Recogniser> make_code_recogniser();
std::unique_ptr<Recogniser> make_email_recogniser();
std::unique_ptr<Recogniser> make_ip_recogniser();
// DATE_OF_BIRTH: a date within a few words after "né le", "date of birth", "DOB", …
std::unique_ptr<Recogniser> make_birth_date_recogniser();
std::unique_ptr<Recogniser> make_address_recogniser();
std::unique_ptr<Recogniser> make_person_recogniser();

// Appends an entity for text[start, end).
void emit(std::vector<Entity>& out, EntityType type, std::string_view text, size_t start,
          size_t end, double confidence);

// Whether one of `words` (lower case) occurs in the `window` bytes before `pos`.
bool context_before(std::string_view text, size_t pos, size_t window,
                    std::initializer_list<std::string_view> words);

}  // namespace tq::guard
