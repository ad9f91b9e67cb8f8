#!/usr/bin/env python3
"""Writes corpus.jsonl: labelled French and English snippets for the guard's
precision/recall test. Run once; the committed corpus.jsonl is the test input.

Valid identifiers are generated with their check digits computed here from the public
specifications (ISO 13616 mod 97 for IBAN, Luhn for cards/SIREN/SIRET, INSEE's
97 - n mod 97 for the NIR, (12 + 3 * (SIREN mod 97)) mod 97 for French VAT), so this
script is an independent reference for the C++ validators.

Each line: {"id", "lang", "kind", "text", "entities": [{"type", "text"}]}. Entity texts
are exactly as written in the snippet; PERSON spans cover the name, not the title.
"""
import json
import random

R = random.Random(20261125)


def luhn_check_digit(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(s):
    return luhn_check_digit(s[:-1]) == s[-1]


def digits(n):
    return "".join(R.choice("0123456789") for _ in range(n))


def iban_check(country, bban):
    rearranged = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in rearranged)
    return "%02d" % (98 - int(num) % 97)


IBAN_BBAN = {  # country: (bban generator)
    "FR": lambda: digits(10) + digits(11) + digits(2),
    "DE": lambda: digits(18),
    "BE": lambda: digits(12),
    "ES": lambda: digits(20),
    "IT": lambda: R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + digits(22),
    "GB": lambda: "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + digits(14),
    "NL": lambda: "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4)) + digits(10),
    "CH": lambda: digits(17),
    "LU": lambda: digits(16),
}


def iban(country=None, grouped=True):
    country = country or R.choice(["FR"] * 5 + list(IBAN_BBAN))
    bban = IBAN_BBAN[country]()
    s = country + iban_check(country, bban) + bban
    if grouped:
        return " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    return s


def card(kind=None, sep=None):
    kind = kind or R.choice(["visa", "visa", "mc", "mc2", "amex", "cb"])
    if kind in ("visa", "cb"):
        body = "4" + digits(14)
    elif kind == "mc":
        body = str(R.randint(51, 55)) + digits(13)
    elif kind == "mc2":
        body = str(R.randint(2221, 2720)) + digits(11)
    else:
        body = R.choice(["34", "37"]) + digits(12)
    num = body + luhn_check_digit(body)
    sep = sep if sep is not None else R.choice([" ", " ", "-", ""])
    if len(num) == 15:
        return sep.join([num[:4], num[4:10], num[10:]])
    return sep.join(num[i:i + 4] for i in range(0, len(num), 4))


def nir(fmt=None):
    sex = R.choice("12")
    yy = "%02d" % R.randint(40, 99)
    mm = "%02d" % R.randint(1, 12)
    dept = R.choice(["%02d" % R.randint(1, 95), "2A", "2B", "75", "69", "13"])
    commune = "%03d" % R.randint(1, 999)
    order = "%03d" % R.randint(1, 999)
    numeric = sex + yy + mm + dept.replace("2A", "19").replace("2B", "18") + commune + order
    key = "%02d" % (97 - int(numeric) % 97)
    fmt = fmt or R.choice(["spaced", "spaced", "compact", "key"])
    if fmt == "spaced":
        return " ".join([sex, yy, mm, dept, commune, order, key])
    if fmt == "compact":
        return sex + yy + mm + dept + commune + order + key
    return sex + yy + mm + dept + commune + order + " " + key


def siren_raw():
    body = R.choice("3456789") + digits(7)
    return body + luhn_check_digit(body)


def siret_raw(siren=None):
    siren = siren or siren_raw()
    body = siren + digits(4)
    return body + luhn_check_digit(body)


def fmt_siren(s, grouped):
    return " ".join([s[:3], s[3:6], s[6:]]) if grouped else s


def fmt_siret(s, grouped):
    return " ".join([s[:3], s[3:6], s[6:9], s[9:]]) if grouped else s


def vat(siren=None, spaced=None):
    siren = siren or siren_raw()
    key = "%02d" % ((12 + 3 * (int(siren) % 97)) % 97)
    spaced = R.random() < 0.5 if spaced is None else spaced
    if spaced:
        return "FR" + key + " " + " ".join([siren[:3], siren[3:6], siren[6:]])
    return "FR" + key + siren


def fr_phone(fmt=None):
    nsn = R.choice("1234567679") + digits(8)
    pairs = [nsn[1:3], nsn[3:5], nsn[5:7], nsn[7:9]]
    fmt = fmt or R.choice(["space", "space", "dot", "dash", "compact", "intl", "intl",
                           "intl_compact", "intl_zero", "double_zero"])
    if fmt == "space":
        return "0" + nsn[0] + " " + " ".join(pairs)
    if fmt == "dot":
        return "0" + nsn[0] + "." + ".".join(pairs)
    if fmt == "dash":
        return "0" + nsn[0] + "-" + "-".join(pairs)
    if fmt == "compact":
        return "0" + nsn
    if fmt == "intl":
        return "+33 " + nsn[0] + " " + " ".join(pairs)
    if fmt == "intl_compact":
        return "+33" + nsn
    if fmt == "intl_zero":
        return "+33 (0)" + nsn[0] + " " + " ".join(pairs)
    return "0033 " + nsn[0] + " " + " ".join(pairs)


def foreign_phone():
    return R.choice([
        lambda: "+44 20 %s %s" % (digits(4), digits(4)),
        lambda: "+44 7%s %s" % (digits(3), digits(6)),
        lambda: "+1 %d%s %d%s %s" % (R.randint(2, 9), digits(2), R.randint(2, 9), digits(2),
                                      digits(4)),
        lambda: "+49 30 %s" % digits(8),
        lambda: "+32 2 %s %s %s" % (digits(3), digits(2), digits(2)),
        lambda: "+41 22 %s %s %s" % (digits(3), digits(2), digits(2)),
        lambda: "+34 6%s %s %s" % (digits(2), digits(3), digits(3)),
    ])()


FIRST_FR = ["Marie", "Jean", "Sophie", "Julien", "Camille", "Nicolas", "Élodie", "Hélène",
            "François", "Chloé", "Thomas", "Nathalie", "Jean-Pierre", "Marie-Claire", "Mathieu",
            "Céline", "Stéphane", "Aurélie", "Guillaume", "Léa", "Inès", "Karim", "Yasmine",
            "Benoît", "Gaëlle", "Jérôme", "Sandrine", "Antoine", "Émilie", "Laurent"]
FIRST_EN = ["James", "Emma", "Oliver", "Sarah", "Michael", "Emily", "David", "Jessica",
            "Daniel", "Laura", "Matthew", "Hannah", "Andrew", "Rachel", "Peter", "Olivia"]
# Rarer first names that are not in the recogniser's lists: found only through context.
FIRST_RARE = ["Ysaline", "Maëlys", "Gwendal", "Soizic", "Anatole", "Briac", "Lorcan",
              "Tamsin", "Ottilie", "Séraphin"]
LAST_FR = ["Dupont", "Lefèvre", "Moreau", "Fournier", "Girard", "Bonnet", "Mercier", "Lambert",
           "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
           "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
           "Chevalier", "Robin", "Masson", "Sanchez", "Boyer", "Denis"]
LAST_EN = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
           "Anderson", "Taylor", "Clarke", "Walker", "Wright", "Hughes", "Evans", "Turner"]
DOMAINS = ["gmail.com", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "outlook.com",
           "entreprise-durand.fr", "mairie-lyon.fr", "example.co.uk", "acme.io"]
CITIES = [("75002", "Paris"), ("69003", "Lyon"), ("13008", "Marseille"), ("33000", "Bordeaux"),
          ("31000", "Toulouse"), ("59000", "Lille"), ("44000", "Nantes"), ("67000", "Strasbourg"),
          ("35000", "Rennes"), ("06000", "Nice"), ("34000", "Montpellier"),
          ("21000", "Dijon"), ("37000", "Tours"), ("20000", "Ajaccio")]
STREETS = ["rue de la Paix", "avenue Victor Hugo", "boulevard Haussmann", "allée des Tilleuls",
           "impasse du Moulin", "place Bellecour", "chemin des Vignes", "quai de la Tournelle",
           "route de Lyon", "rue du Faubourg Saint-Antoine", "rue Nationale", "cours Mirabeau",
           "avenue Jean Jaurès", "rue des Lilas", "boulevard de la Liberté"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]


def person(lang="fr", rare=False):
    first = R.choice(FIRST_RARE if rare else (FIRST_FR if lang == "fr" else FIRST_EN))
    last = R.choice(LAST_FR if lang == "fr" else LAST_EN)
    return first, last


def email(first=None, last=None):
    first, last = (first, last) if first else person(R.choice(["fr", "en"]))
    strip = str.maketrans("éèêëàâîïôöûüçÉ", "eeeeaaiioouucE")
    f = first.lower().translate(strip)
    l = last.lower().translate(strip)
    local = R.choice([f + "." + l, f[0] + l, f + "_" + l, l + R.choice(["", "75", "1984"]),
                      f + "-" + l + "+sav"])
    return local + "@" + R.choice(DOMAINS)


def ipv4():
    return "%d.%d.%d.%d" % (R.choice([10, 172, 192, 81, 90, 212, 37]), R.randint(0, 255),
                            R.randint(0, 255), R.randint(1, 254))


def ipv6():
    return R.choice(["2001:db8::%x" % R.randint(1, 0xffff),
                     "2a01:cb00:%x:%x::1" % (R.randint(1, 0xffff), R.randint(1, 0xffff)),
                     "fe80::%x:%x:%x:%x" % tuple(R.randint(1, 0xffff) for _ in range(4)),
                     "2001:0db8:85a3:0000:0000:8a2e:0370:7334"])


def dob_date(lang):
    d, m, y = R.randint(1, 28), R.randint(1, 12), R.randint(1940, 2005)
    if lang == "fr":
        return R.choice(["%02d/%02d/%d" % (d, m, y), "%d %s %d" % (d, MONTHS_FR[m - 1], y),
                         "%02d.%02d.%d" % (d, m, y), "%d-%02d-%02d" % (y, m, d)])
    return R.choice(["%s %d, %d" % (MONTHS_EN[m - 1], d, y), "%d %s %d" % (d, MONTHS_EN[m - 1], y),
                     "%d-%02d-%02d" % (y, m, d)])


def address(with_city=None):
    num = str(R.randint(1, 180)) + R.choice(["", "", "", " bis", " ter"])
    street = R.choice(STREETS)
    with_city = R.random() < 0.7 if with_city is None else with_city
    if with_city:
        cp, city = R.choice(CITIES)
        return "%s %s, %s %s" % (num, street, cp, city)
    return "%s %s" % (num, street)


def E(t, v):
    return (t, v)


def build(kind, lang, parts):
    text = "".join(p if isinstance(p, str) else p[1] for p in parts)
    ents = [{"type": p[0], "text": p[1]} for p in parts if not isinstance(p, str)]
    return {"lang": lang, "kind": kind, "text": text, "entities": ents}


# ---- positive templates -------------------------------------------------------------

def t_fr_ticket_phone():
    f, l = person("fr")
    return build("ticket", "fr", ["Bonjour, je suis ", E("PERSON", f + " " + l),
                                  ", vous pouvez me rappeler au ", E("PHONE", fr_phone()),
                                  " pour ma commande n° CMD-2024-%s. Merci !" % digits(6)])


def t_fr_email_sig():
    f, l = person("fr")
    return build("email", "fr", ["Madame, Monsieur,\n\nSuite à notre échange, je vous envoie le devis.\n\n"
                                 "Cordialement,\n", E("PERSON", f + " " + l), "\n",
                                 E("EMAIL", email(f, l)), "\nTél. : ", E("PHONE", fr_phone()), "\n"])


def t_fr_iban():
    f, l = person("fr")
    return build("email", "fr", ["Bonjour,\nMerci de prélever sur mon compte, IBAN : ",
                                 E("IBAN", iban()), " (titulaire : ", E("PERSON", f + " " + l),
                                 ").\nMontant : %d,%02d €." % (R.randint(10, 999), R.randint(0, 99))])


def t_fr_card():
    return build("ticket", "fr", ["Le paiement par carte ", E("CARD", card()),
                                  " a été refusé le %02d/%02d/2024, pouvez-vous vérifier ?" %
                                  (R.randint(1, 28), R.randint(1, 12))])


def t_fr_nir():
    f, l = person("fr")
    return build("form", "fr", ["Assuré : M. ", E("PERSON", l), "\nN° de sécurité sociale : ",
                                E("NIR", nir()), "\nCaisse : CPAM du Rhône"])


def t_fr_nir_mme():
    f, l = person("fr")
    return build("form", "fr", ["Mme ", E("PERSON", f + " " + l),
                                ", numéro de sécurité sociale ", E("NIR", nir()),
                                ", demande le remboursement de sa consultation."])


def t_fr_invoice():
    s = siren_raw()
    grouped = R.random() < 0.5
    return build("invoice", "fr", ["FACTURE N° FA-2024-%s\nSociété Durand & Fils SARL, capital 10 000 €\n"
                                   "SIRET : " % digits(4), E("SIRET", fmt_siret(siret_raw(s), grouped)),
                                   "\nTVA intracommunautaire : ", E("VAT", vat(s)),
                                   "\nTotal TTC : %d %03d,%02d €" % (R.randint(1, 9), R.randint(0, 999),
                                                                    R.randint(0, 99))])


def t_fr_siren():
    return build("invoice", "fr", ["Immatriculée au RCS de Lyon sous le numéro SIREN ",
                                   E("SIREN", fmt_siren(siren_raw(), R.random() < 0.5)),
                                   ", code APE 6201Z."])


def t_fr_address():
    f, l = person("fr")
    return build("ticket", "fr", ["Merci de livrer le colis chez ", E("PERSON", f + " " + l), ", ",
                                  E("ADDRESS", address(True)), ". Le livreur peut sonner."])


def t_fr_address_short():
    return build("ticket", "fr", ["J'habite au ", E("ADDRESS", address(False)),
                                  " depuis mars et je n'ai toujours rien reçu."])


def t_fr_dob():
    f, l = person("fr")
    word = R.choice(["né le", "née le", "date de naissance :", "Date de naissance :"])
    return build("form", "fr", ["Patient : ", E("PERSON", f + " " + l), ", " + word + " ",
                                E("DATE_OF_BIRTH", dob_date("fr")), ", adressé par son médecin."])


def t_fr_ip():
    ip = ipv4() if R.random() < 0.6 else ipv6()
    return build("ticket", "fr", ["Connexion suspecte depuis l'adresse ", E("IP", ip),
                                  " à 03:14, le compte a été bloqué."])


def t_fr_bonjour():
    f, _ = person("fr")
    return build("email", "fr", ["Bonjour ", E("PERSON", f), ",\nvotre commande est prête. "
                                 "Vous pouvez la retirer en magasin à partir de 14h."])


def t_fr_rare_title():
    f, l = person("fr", rare=True)
    return build("email", "fr", ["Bonjour Madame ", E("PERSON", l), ",\nnous avons bien reçu votre "
                                 "réclamation concernant la facture de mai."])


def t_fr_mixed():
    f, l = person("fr")
    return build("ticket", "fr", ["Client : ", E("PERSON", f + " " + l), "\nE-mail : ",
                                  E("EMAIL", email(f, l)), "\nMobile : ", E("PHONE", fr_phone()),
                                  "\nProblème : l'écran reste noir après la mise à jour 2.4.1."])


def t_fr_contact_phone_only():
    return build("ticket", "fr", ["Rappel demandé au ", E("PHONE", fr_phone()),
                                  " entre 9h et 12h, dossier n° %s." % digits(7)])


def t_fr_card_mail():
    f, l = person("fr")
    return build("email", "fr", ["Bonjour,\nje m'appelle ", E("PERSON", f + " " + l),
                                 " et j'ai été débité deux fois sur ma carte ",
                                 E("CARD", card()), ". Pouvez-vous rembourser ?"])


def t_fr_rib():
    s = siren_raw()
    return build("invoice", "fr", ["Coordonnées bancaires du fournisseur (SIREN ",
                                   E("SIREN", s), ") :\nIBAN ", E("IBAN", iban("FR", R.random() < 0.8)),
                                   "\nBIC BNPAFRPPXXX"])


# English

def t_en_ticket():
    f, l = person("en")
    return build("ticket", "en", ["Hi, this is ", E("PERSON", f + " " + l), ". Please call me back on ",
                                  E("PHONE", foreign_phone()), " about order #%s." % digits(8)])


def t_en_dear():
    f, l = person("en")
    return build("email", "en", ["Dear Mr ", E("PERSON", l), ",\n\nThank you for your payment. "
                                 "Your reference is INV-%s.\n\nKind regards,\n" % digits(5),
                                 E("PERSON", R.choice(FIRST_EN) + " " + R.choice(LAST_EN)), "\n"])


def t_en_card():
    return build("ticket", "en", ["My card ", E("CARD", card()), " was charged twice on ",
                                  "%s %d. Can you refund one of the payments?" %
                                  (R.choice(MONTHS_EN), R.randint(1, 28))])


def t_en_dob():
    f, l = person("en")
    word = R.choice(["Date of birth:", "DOB:", "born on", "Birth date:"])
    return build("form", "en", ["Name: ", E("PERSON", f + " " + l), "\n" + word + " ",
                                E("DATE_OF_BIRTH", dob_date("en")), "\nMembership: gold"])


def t_en_iban():
    return build("email", "en", ["Please send the refund to IBAN ", E("IBAN", iban(R.choice(["GB", "DE", "NL", "FR"]))),
                                 " rather than to the card on file."])


def t_en_email():
    f, l = person("en")
    return build("email", "en", ["You can reach ", E("PERSON", f), " at ", E("EMAIL", email(f, l)),
                                 " or on ", E("PHONE", foreign_phone()), "."])


def t_en_ip():
    return build("ticket", "en", ["The API rejects requests from ", E("IP", ipv4()), " and ",
                                  E("IP", ipv6()), " since the upgrade to 3.2."])


def t_en_signature_rare():
    f, l = person("en", rare=True)
    return build("email", "en", ["Thanks for the quick fix.\n\nBest regards,\n",
                                 E("PERSON", f + " " + l), "\n"])


def t_en_nir_expat():
    f, l = person("fr")
    return build("form", "en", ["Employee ", E("PERSON", f + " " + l), ", French social security number ",
                                E("NIR", nir()), ", joins the Paris office."])


def t_fr_siret_compact():
    return build("invoice", "fr", ["Prestataire : Atelier Numérique, N° SIRET ", E("SIRET", siret_raw()),
                                   ", dispensé d'immatriculation au RCS."])


def t_fr_siret_grouped():
    return build("invoice", "fr", ["Émetteur %s\n" % R.choice(["Boulangerie Martin", "Garage du Centre", "Cabinet Moreau"]),
                                   E("SIRET", fmt_siret(siret_raw(), True)), " — APE 4520A\nConditions : 30 jours fin de mois."])


def t_fr_phone_paren():
    f, l = person("fr")
    return build("ticket", "fr", ["(joignable au ", E("PHONE", fr_phone(R.choice(["space", "dot", "intl"]))),
                                  ") — demande de ", E("PERSON", f + " " + l.upper()), "."])


def t_fr_cc_list():
    a, b = person("fr"), person("fr")
    return build("email", "fr", ["De : ", E("EMAIL", email(*a)), "\nÀ : ", E("EMAIL", email(*b)),
                                 "\nObjet : Re: facture impayée\n\n", E("PERSON", a[0]),
                                 ", peux-tu relancer le client ?"])


def t_fr_card_nocontext():
    return build("ticket", "fr", ["Transaction refusée : ", E("CARD", card(sep="")),
                                  ", montant 149,90 €, terminal %s." % digits(8)])


def t_en_amex():
    f, l = person("en")
    return build("email", "en", ["Hello ", E("PERSON", f), ",\nplease charge the Amex ",
                                 E("CARD", card("amex")), " for the annual plan (EUR 1,200.00)."])


def t_en_uk_phone():
    f, l = person("en")
    return build("ticket", "en", ["Caller ", E("PERSON", f + " " + l), " (", E("PHONE", foreign_phone()),
                                  ") says the router at ", E("IP", ipv4()), " keeps rebooting."])


def t_fr_lettre():
    f, l = person("fr")
    return build("email", "fr", ["Monsieur ", E("PERSON", l), ",\n\nNous accusons réception de votre courrier du "
                                 "%d %s. Votre dossier porte le numéro %s.\n\nBien à vous,\n" %
                                 (R.randint(1, 28), R.choice(MONTHS_FR), digits(7)),
                                 E("PERSON", R.choice(FIRST_FR) + " " + R.choice(LAST_FR)), "\nService réclamations"])


POSITIVE = [t_fr_ticket_phone, t_fr_email_sig, t_fr_iban, t_fr_card, t_fr_nir, t_fr_nir_mme,
            t_fr_invoice, t_fr_siren, t_fr_address, t_fr_address_short, t_fr_dob, t_fr_ip,
            t_fr_bonjour, t_fr_rare_title, t_fr_mixed, t_fr_contact_phone_only, t_fr_card_mail,
            t_fr_rib, t_en_ticket, t_en_dear, t_en_card, t_en_dob, t_en_iban, t_en_email,
            t_en_ip, t_en_signature_rare, t_en_nir_expat, t_fr_siret_compact,
            t_fr_siret_grouped, t_fr_phone_paren, t_fr_cc_list, t_fr_card_nocontext, t_en_amex,
            t_en_uk_phone, t_fr_lettre]

# ---- hard negatives: things that look like identifiers but are not ---------------------


def bad_luhn_16():
    while True:
        s = "4" + digits(15)
        if not luhn_ok(s):
            return " ".join(s[i:i + 4] for i in range(0, 16, 4))


def bad_iban():
    s = iban("FR", False)
    wrong = s[:-1] + str((int(s[-1]) + 1) % 10)
    return " ".join(wrong[i:i + 4] for i in range(0, len(wrong), 4))


def bad_nir():
    n = nir("compact")
    return n[:-2] + "%02d" % ((int(n[-2:]) % 96) + 1)


def n_order():
    return build("negative", "fr", ["Votre commande n° %s a été expédiée le %02d/%02d/2024." %
                                    (R.choice(["CMD-", "", "2024-"]) + digits(R.choice([6, 8, 11])),
                                     R.randint(1, 28), R.randint(1, 12))])


def n_tracking():
    t = R.choice(["6A%s" % digits(11), "1Z999AA1%s" % digits(10), "XY%sFR" % digits(9),
                  "LP%sFR" % digits(9), digits(12)])
    return build("negative", "fr", ["Numéro de suivi Colissimo : %s, livraison estimée sous 48 h." % t])


def n_card_like():
    return build("negative", "en", ["Tracking reference %s (not a card number), parcel weight 2.4 kg." %
                                    bad_luhn_16()])


def n_price():
    return build("negative", "fr", ["Total HT : %d %03d,%02d € — TVA 20 %% : %d,%02d € — remise 5 %%." %
                                    (R.randint(1, 99), R.randint(0, 999), R.randint(0, 99),
                                     R.randint(10, 999), R.randint(0, 99))])


def n_sku():
    return build("negative", "en", ["SKU %s-%s-%s, EAN 376%s, qty 3 × 250 g, batch %s." %
                                    (R.choice(["TSH", "PNT", "FR"]), digits(4), R.choice(["XL", "M", "S"]),
                                     digits(10), digits(6))])


def n_dates():
    return build("negative", "fr", ["Rendez-vous le %02d/%02d/2025 à 14:30, puis le 2025-%02d-%02d à 10:15:00." %
                                    (R.randint(1, 28), R.randint(1, 12), R.randint(1, 12), R.randint(1, 28))])


def n_bad_iban():
    return build("negative", "fr", ["L'IBAN %s est refusé par la banque : clé invalide." % bad_iban()])


def n_bad_nir():
    return build("negative", "fr", ["Le numéro %s saisi ne correspond à aucun assuré." % bad_nir()])


def n_version():
    return build("negative", "en", ["Upgrade from 2.%d.%d to 3.0.1 fixed the crash; build %s, see ticket %s." %
                                    (R.randint(0, 9), R.randint(0, 20), digits(9), digits(5))])


def n_invoice_ref():
    return build("negative", "fr", ["Facture FA%s du %d %s 2024, échéance à 30 jours, référence client C%s." %
                                    (digits(8), R.randint(1, 28), R.choice(MONTHS_FR), digits(6))])


def n_phone_like_short():
    return build("negative", "fr", ["Code d'accès %s, badge %s, poste interne %s." %
                                    (digits(6), digits(8), digits(4))])


def n_generic_fr():
    return build("negative", "fr", [R.choice([
        "Le Service Client reste joignable du lundi au vendredi.",
        "Merci pour votre retour, l'équipe Support va étudier la demande.",
        "La France et la Belgique sont livrées sous 3 jours ouvrés.",
        "Bonjour Madame, Monsieur, votre dossier est complet.",
        "Rendez-vous au Salon de Paris, stand B12, du 3 au 5 juin.",
        "Objet : Réclamation sur la Commande du mois de Mars",
        "Colis remis au Point Relais, horaires 9h-19h.",
    ])])


def n_generic_en():
    return build("negative", "en", [R.choice([
        "Dear Customer, your subscription renews on 1 June.",
        "Hello Team, the May release is ready for review.",
        "Will you confirm the delivery window for next week?",
        "The Support Team answers within 24 hours on business days.",
        "Order 55 units before Friday to get the spring discount.",
        "Grace period ends on March 31 for all annual plans.",
    ])])


def n_brands():
    return build("negative", "fr", [R.choice([
        "Le cahier Clairefontaine A4 est en rupture, réassort le 12 mars.",
        "Nouvelle collection Printemps : coloris Rose Poudré et Vert Sauge.",
        "Le modèle Victor 2 est compatible avec la base Mistral.",
        "Livraison Chronopost prévue avant 13h, signature requise.",
        "Promotion de la Saint-Valentin : -20 % sur les bijoux.",
    ])])


def n_numbers_en():
    return build("negative", "en", ["Invoice %s, PO %s, amount USD %d,%03d.%02d, due %s %d." %
                                    (digits(10), digits(7), R.randint(1, 99), R.randint(0, 999), R.randint(0, 99),
                                     R.choice(MONTHS_EN), R.randint(1, 28))])


NEGATIVE = [n_order, n_tracking, n_card_like, n_price, n_sku, n_dates, n_bad_iban, n_bad_nir,
            n_version, n_invoice_ref, n_phone_like_short, n_generic_fr, n_generic_en, n_brands,
            n_numbers_en]


def main():
    rows = []
    for i in range(9):
        for t in POSITIVE:
            rows.append(t())
    for i in range(8):
        for t in NEGATIVE:
            rows.append(t())
    R.shuffle(rows)
    with open("corpus.jsonl", "w", encoding="utf-8") as f:
        for i, r in enumerate(rows):
            r = {"id": "g%04d" % i, **r}
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(len(rows), "snippets")


if __name__ == "__main__":
    main()
