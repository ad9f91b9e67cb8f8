#include "guard/first_names.h"

#include <string>
#include <unordered_set>

namespace tq::guard {
namespace {

// Space-separated so the lists read as lists.
constexpr std::string_view kFrench =
    "Adèle Adrien Agathe Agnès Aimé Alain Albert Alexandre Alexandra Alexis Alice Aline "
    "Alix Amandine Amélie Anaïs André Andrée Angèle Angélique Anne Annabelle Annie "
    "Anthony Antoine Antonin Apolline Armand Arnaud Arthur Aude Audrey Augustin Aurélie "
    "Aurélien Axel Baptiste Barbara Bastien Béatrice Benjamin Benoît Bernadette Bernard "
    "Bertrand Blanche Brigitte Bruno Camille Capucine Carole Caroline Catherine Cécile "
    "Céline Chantal Charles Charlotte Chloé Christelle Christian Christiane Christine "
    "Christophe Claire Clara Claude Claudine Clément Clémence Clémentine Coralie Corentin "
    "Corinne Cyril Cyrille Damien Daniel Danielle Delphine Denis Denise Didier Dominique "
    "Dylan Édith Edouard Édouard Élise Élodie Éloïse Émile Émilie Emma Emmanuel "
    "Emmanuelle Enzo Éric Estelle Étienne Eugène Eugénie Éva Evelyne Fabien Fabienne "
    "Fabrice Fanny Félix Florian Florence Francis Franck François Françoise Frédéric "
    "Frédérique Gabriel Gabrielle Gaël Gaëlle Gaétan Gaston Geneviève Georges Gérald "
    "Gérard Germaine Ghislaine Gilbert Gilles Ginette Guillaume Guy Gwenaëlle Hélène "
    "Henri Henriette Hervé Hugo Hugues Inès Irène Isabelle Jacqueline Jacques Jade "
    "Jean Jeanne Jérémy Jérôme Jocelyne Joël Joëlle Jonathan Joseph Josette Josiane "
    "Jules Julie Julien Juliette Justine Karine Kévin Laetitia Laëtitia Laure Laurence "
    "Laurent Léa Léo Léon Léonie Liliane Lina Lise Lola Lou Louis Louise Luc Lucas Lucie "
    "Lucien Lucienne Ludovic Madeleine Maël Maëlle Magali Manon Marc Marcel Marcelle "
    "Margaux Marguerite Marie Marine Marion Marius Marthe Martin Martine Mathéo Mathias "
    "Mathieu Mathilde Matthieu Maurice Maxime Mélanie Mélissa Michel Micheline Michèle "
    "Mireille Monique Morgane Muriel Mylène Nadia Nadine Nathalie Nathan Nicolas Nicole "
    "Noah Noé Noémie Océane Odette Odile Olivier Pascal Pascale Patrice Patricia Patrick "
    "Paul Paulette Pauline Perrine Philippe Pierre Quentin Raphaël Raymond Rémi Rémy "
    "Renaud René Renée Robert Roger Romain Romane Rose Sabine Sacha Samuel Sandrine "
    "Sarah Sébastien Serge Simone Solange Sophie Stéphane Stéphanie Suzanne Sylvain "
    "Sylvie Théo Théodore Thérèse Thibault Thibaut Thierry Thomas Timothée Tristan "
    "Valentin Valentine Valérie Véronique Victor Victoire Vincent Virginie Vivienne "
    "Xavier Yann Yannick Yves Yvette Yvonne Zoé Mohamed Mehdi Karim Sofiane Yasmine "
    "Nour Inaya Ayoub Ibrahim Fatima Samia Leïla Rachid Farid Nabil Amine Bilal Kenza";

constexpr std::string_view kEnglish =
    "Aaron Abigail Adam Alan Albert Alexander Alice Alison Amanda Amber Amelia Amy Andrew "
    "Angela Ann Anna Anne Anthony Arthur Ashley Barbara Benjamin Beth Betty Bethany Brandon "
    "Brenda Brian Bruce Bryan Carl Carol Caroline Catherine Charles Charlie Charlotte "
    "Chloe Chris Christina Christine Christopher Claire Daniel Danielle David Deborah "
    "Dennis Diana Diane Donald Donna Dorothy Douglas Dylan Edward Eleanor Elizabeth Ella "
    "Ellie Emily Emma Eric Ethan Eugene Evelyn Frances Frank Gary George Gerald Gloria "
    "Gregory Hannah Harold Harry Heather Helen Henry Isabella Isaac Jack Jacob James Jane "
    "Janet Jason Jean Jeffrey Jennifer Jeremy Jessica Joan Joe John Jonathan Joseph Joshua "
    "Joyce Judith Julia Julie Justin Karen Katherine Kathleen Kathryn Keith Kelly Kenneth "
    "Kevin Kimberly Kyle Larry Laura Lauren Lawrence Leo Liam Lily Linda Lisa Logan Louis "
    "Lucy Madison Margaret Maria Marie Marilyn Martha Mary Matthew Megan Melissa Michael "
    "Michelle Nancy Natalie Nathan Nicholas Nicole Noah Oliver Olivia Oscar Pamela "
    "Patricia Patrick Paul Peter Philip Rachel Ralph Raymond Rebecca Richard Robert Roger "
    "Ronald Ruth Ryan Samantha Samuel Sandra Sara Sarah Scott Sean Sharon Shirley Sophia "
    "Sophie Stephanie Stephen Steven Susan Teresa Terry Thomas Timothy Tyler Victoria "
    "Vincent Walter Wayne William Zachary Emily Harriet Imogen Jessica Katie Lewis Mia "
    "Ava Noah Ruby Poppy Freya Archie Alfie Theo Isla Evie Oscar Harvey Callum Connor "
    "Declan Fiona Gavin Graham Iain Ian Kieran Lachlan Malcolm Morgan Neil Nigel Owen "
    "Rhys Rory Ross Stuart Trevor Wendy Yvonne Zoe Jake Kate Tom Tim Ben Sam Dan Nick";

constexpr std::string_view kAmbiguous =
    "Will May June April Mark Bill Rose Grace Hope Faith Joy Summer Dawn Olive Pat Sue "
    "Ray Rob Art Jack Frank Guy Lou Martin Paul Louis Jean Claude France Florence "
    "Lorraine Nancy Valence Avril Constance Prudence Aimé Claire Victoire Patience "
    "Charity Amber Ruby Poppy Lily Sandy Chris Morgan Lewis Owen Ross Scott Dean Rhys";

// Salutations, headings and common capitalised words of tickets, mails and invoices.
constexpr std::string_view kStopwords =
    "Le La Les Un Une Des De Du Au Aux Et Ou Mais Donc Car Ni Ce Cette Ces Mon Ma Mes "
    "Votre Vos Notre Nos Son Sa Ses Il Elle Ils Elles Nous Vous Je Tu On Merci "
    "Cordialement Bonjour Bonsoir Salut Madame Monsieur Mademoiselle Mesdames Messieurs "
    "Client Cliente Clients Service Support Équipe Equipe Team Customer Customers Sir "
    "Madam All Tous Toutes Commande Facture Order Invoice Objet Subject Re Fwd TR Date "
    "Ticket Réf Ref Référence Reference Numéro Number Total TVA VAT IBAN BIC SIRET SIREN "
    "Paris Lyon Marseille Toulouse Bordeaux Lille Nantes Nice Strasbourg Rennes London "
    "France Rue Avenue Boulevard Place Lundi Mardi Mercredi Jeudi Vendredi Samedi "
    "Dimanche Monday Tuesday Wednesday Thursday Friday Saturday Sunday Janvier Février "
    "Mars Avril Mai Juin Juillet Août Septembre Octobre Novembre Décembre January "
    "February March April May June July August September October November December "
    "The A An And Or But If In On At To For Of By With From Hello Hi Dear Thanks Thank "
    "Regards Best Kind Sincerely Please Veuillez Pouvez Pourriez Est Sont Avec Pour Par "
    "Sur Dans En Chez Bien Très Tres SAS SARL SA EURL Inc Ltd LLC Mme Mlle Mr Mrs Ms Dr "
    "Directeur Directrice Responsable Manager Gérant Gérante Comptabilité Accounting "
    "Bonne Journée Urgent Important Note Merci Livraison Delivery Colis Paiement Payment "
    "Carte Card Compte Account Banque Bank Adresse Address Téléphone Phone Email Mail "
    "Tél Tel Fax Mobile Portable Contact Société Company Produit Product Prix Price";

std::unordered_set<std::string_view> split(std::string_view s) {
  std::unordered_set<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    const size_t j = s.find(' ', i);
    const size_t e = j == std::string_view::npos ? s.size() : j;
    if (e > i) out.insert(s.substr(i, e - i));
    i = e + 1;
  }
  return out;
}

const std::unordered_set<std::string_view>& first_names() {
  static const auto names = [] {
    auto set = split(kFrench);
    for (auto n : split(kEnglish)) set.insert(n);
    return set;
  }();
  return names;
}

}  // namespace

bool is_first_name(std::string_view word) {
  return first_names().count(word) != 0;
}

bool is_ambiguous_first_name(std::string_view word) {
  static const auto set = split(kAmbiguous);
  return set.count(word) != 0;
}

bool is_name_stopword(std::string_view word) {
  static const auto set = split(kStopwords);
  return set.count(word) != 0;
}

}  // namespace tq::guard
