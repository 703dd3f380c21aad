//! RFE/RL's language services: their hosts, the names they sign their pages with, and the languages they
//! publish in. Shared knowledge, not a stage: `extract` reads a text dump's service box with it (the dump has
//! no URL, but the box under the story names the service), and `identify` takes a service's languages as a
//! prior between look-alike languages that the text alone may not tell apart (Persian and Dari,
//! Bosnian and Croatian).
//!
//! A service is a strong prior for the language, never proof: one host publishes in several languages, and a
//! page can sit on the wrong one. So the prior only ever splits a look-alike cluster (`identify`), it never
//! moves an article from one cluster to another.

use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// One service (or one edition of a service, when its pages are signed differently per language).
pub struct Service {
    /// The host without `www.` (`azattyk.org`); editions on subdomains keep theirs (`da.azadiradio.com`).
    pub host: &'static str,
    /// Names the service signs its pages with, in the scripts it writes (the service box of a text dump).
    pub names: &'static [&'static str],
    /// The languages it publishes in (FLORES-200 codes).
    pub langs: &'static [&'static str],
}

/// The services, from RFE/RL's own sites. The Balkan service has two rows: it signs "Radio Slobodna Evropa"
/// whatever the language of the piece (Croatian ones included), so that name says nothing about the split;
/// "Radio Slobodna Europa" is Croatian spelling (Europe is *Europa* in Croatian only), so a page signed so
/// is taken as Croatian. Names shared by two services (Macedonian and Serbian Cyrillic both write "Радио
/// Слободна Европа") name neither.
pub const SERVICES: &[Service] = &[
    Service { host: "rferl.org", names: &["RFE/RL", "Radio Free Europe/Radio Liberty"], langs: &["eng_Latn"] },
    Service { host: "svoboda.org", names: &["Радио Свобода"], langs: &["rus_Cyrl"] },
    Service { host: "currenttime.tv", names: &["Настоящее Время"], langs: &["rus_Cyrl"] },
    Service { host: "sibreal.org", names: &["Сибирь.Реалии"], langs: &["rus_Cyrl"] },
    Service { host: "severreal.org", names: &["Север.Реалии"], langs: &["rus_Cyrl"] },
    Service { host: "idelreal.org", names: &["Идел.Реалии"], langs: &["rus_Cyrl"] },
    Service { host: "ekhokavkaza.com", names: &["Эхо Кавказа"], langs: &["rus_Cyrl"] },
    Service { host: "ru.krymr.com", names: &["Крым.Реалии"], langs: &["rus_Cyrl"] },
    Service {
        host: "kavkazr.com", names: &["Кавказ.Реалии"], langs: &["rus_Cyrl", "che_Cyrl", "ava_Cyrl"]
    },
    Service { host: "radiosvoboda.org", names: &["Радіо Свобода"], langs: &["ukr_Cyrl"] },
    Service { host: "ua.krymr.com", names: &["Крим.Реалії"], langs: &["ukr_Cyrl"] },
    Service { host: "svaboda.org", names: &["Радыё Свабода"], langs: &["bel_Cyrl"] },
    Service {
        host: "azattyq.org",
        names: &["Азаттық радиосы", "Азаттық", "Azattyq"],
        langs: &["kaz_Cyrl", "kaz_Latn"],
    },
    Service {
        host: "azattyk.org", names: &["Азаттык үналгысы", "Азаттык радиосу", "Азаттык"], langs: &["kir_Cyrl"]
    },
    Service {
        host: "ozodlik.org",
        names: &["Ozodlik radiosi", "Озодлик радиоси", "Ozodlik", "Озодлик"],
        langs: &["uzn_Latn", "uzn_Cyrl"],
    },
    Service {
        host: "ozodi.org", names: &["Радиои Озодӣ", "Радиои Озоди", "Озодӣ"], langs: &["tgk_Cyrl"]
    },
    Service { host: "azathabar.com", names: &["Azatlyk Radiosy", "Azatlyk"], langs: &["tuk_Latn"] },
    Service {
        host: "azatliq.org",
        names: &["Азатлык радиосы", "Азатлыҡ радиоһы", "Азатлык", "Азатлыҡ"],
        langs: &["tat_Cyrl", "bak_Cyrl"],
    },
    Service { host: "ktat.krymr.com", names: &["Qırım.Aqiqat", "Qırım Aqiqat"], langs: &["crh_Latn"] },
    Service { host: "radiomarsho.com", names: &["Маршо радио"], langs: &["che_Cyrl"] },
    Service { host: "azadliq.org", names: &["Azadlıq Radiosu", "Azadlıq Radiosu (RFE/RL)"], langs: &["azj_Latn"] },
    Service {
        host: "azatutyun.am", names: &["Ազատություն ռադիոկայան", "Ազատություն"], langs: &["hye_Armn"]
    },
    Service {
        host: "radiotavisupleba.ge", names: &["რადიო თავისუფლება"], langs: &["kat_Geor"]
    },
    Service { host: "moldova.europalibera.org", names: &["Europa Liberă Moldova"], langs: &["ron_Latn"] },
    Service {
        host: "romania.europalibera.org",
        names: &["Europa Liberă România", "Europa Liberă Romania"],
        langs: &["ron_Latn"],
    },
    Service { host: "europalibera.org", names: &["Europa Liberă", "Radio Europa Liberă"], langs: &["ron_Latn"] },
    Service {
        host: "slobodnaevropa.org",
        names: &["Radio Slobodna Evropa", "Slobodna Evropa"],
        langs: &["bos_Latn", "srp_Latn", "srp_Cyrl", "hrv_Latn", "cnr_Latn"],
    },
    Service { host: "slobodnaevropa.org", names: &["Radio Slobodna Europa", "Slobodna Europa"], langs: &["hrv_Latn"] },
    Service { host: "slobodnaevropa.mk", names: &[], langs: &["mkd_Cyrl"] },
    Service { host: "evropaelire.org", names: &["Radio Evropa e Lirë", "Evropa e Lirë"], langs: &["als_Latn"] },
    Service {
        host: "svobodnaevropa.bg", names: &["Свободна Европа", "Радио Свободна Европа"], langs: &["bul_Cyrl"]
    },
    Service { host: "szabadeuropa.hu", names: &["Szabad Európa", "Szabad Európa Rádió"], langs: &["hun_Latn"] },
    Service { host: "radiofarda.com", names: &["رادیو فردا"], langs: &["pes_Arab"] },
    Service { host: "da.azadiradio.com", names: &["رادیو آزادی"], langs: &["prs_Arab"] },
    Service {
        host: "pa.azadiradio.com", names: &["آزادي راډيو", "ازادي راډيو"], langs: &["pbt_Arab"]
    },
    Service { host: "mashaalradio.com", names: &["مشال راډيو", "مشال"], langs: &["pbt_Arab"] },
];

/// The host as the `service` column writes it for a page that gave no URL: a site on a bare domain is served
/// from `www.` (as its pages' URLs say), a subdomain edition as itself.
pub fn site_of(host: &str) -> String {
    if host.matches('.').count() == 1 {
        format!("www.{host}")
    } else {
        host.to_string()
    }
}

/// The form names are compared in: composed, lower case, one space between words, Arabic-script letter
/// variants (ي/ى → ی, ك → ک) and joiners (ZWNJ) folded, trailing punctuation off.
fn key(s: &str) -> String {
    let folded: String = s
        .nfc()
        .map(|c| match c {
            'ي' | 'ى' => 'ی',
            'ك' => 'ک',
            '\u{200c}' | '\u{200d}' | '\u{200f}' | '\u{200e}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect();
    let words: Vec<&str> = folded.split_whitespace().collect();
    words.join(" ").trim_end_matches(['.', ':', '!']).to_string()
}

/// The service whose name is this line (a text dump's service box), if exactly one service signs with it.
pub fn by_name(line: &str) -> Option<&'static Service> {
    static BY_KEY: OnceLock<HashMap<String, &'static Service>> = OnceLock::new();
    // Every text dump asks about a few footer lines: the names are folded once.
    let by_key =
        BY_KEY.get_or_init(|| SERVICES.iter().flat_map(|s| s.names.iter().map(move |n| (key(n), s))).collect());
    if line.len() > 200 {
        return None;
    }
    by_key.get(&key(line)).copied()
}

/// The languages published on `host` (`www.`, ports and case ignored; a `rus.` edition of a service writes
/// Russian). Empty when the host is not a service's.
pub fn langs_of_host(host: &str) -> Vec<&'static str> {
    let host = host.to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or("");
    let host = host.strip_prefix("www.").unwrap_or(host);
    if host.starts_with("rus.") {
        return vec!["rus_Cyrl"];
    }
    // The most specific host first: ru.krymr.com before a bare krymr.com, da.azadiradio.com as itself.
    let fits = |s: &&Service| host == s.host || host.ends_with(&format!(".{}", s.host));
    let Some(best) = SERVICES.iter().filter(fits).map(|s| s.host.len()).max() else { return Vec::new() };
    let mut langs: Vec<&'static str> = Vec::new();
    for s in SERVICES.iter().filter(fits).filter(|s| s.host.len() == best) {
        for l in s.langs {
            if !langs.contains(l) {
                langs.push(l);
            }
        }
    }
    langs
}

/// The languages a declared language names: a FLORES-200 code, an ISO 639 code or tag (`bs`, `hr`,
/// `sr-Latn`, `fa-AF`), an English name (`Croatian`, `Dari`), or a service's name. `None` when it names no
/// service language, or names a whole look-alike cluster (`sh`, "Serbo-Croatian", and `fa`, which is the
/// Persian macrolanguage, Dari included): such a hint cannot split the cluster.
pub fn declared_langs(hint: &str) -> Option<Vec<&'static str>> {
    let h = hint.trim();
    if let Some(s) = by_name(h) {
        return Some(s.langs.to_vec());
    }
    if let Some(code) = crate::identify::SERVICE_LANGS.iter().find(|c| c.eq_ignore_ascii_case(h)) {
        return Some(vec![code]);
    }
    let tag = h.to_ascii_lowercase().replace('_', "-");
    let langs: &[&'static str] = match tag.as_str() {
        "bs" | "bos" | "bs-latn" | "bs-ba" | "bosnian" => &["bos_Latn"],
        "hr" | "hrv" | "hr-hr" | "hr-ba" | "croatian" => &["hrv_Latn"],
        "sr-latn" | "srp-latn" | "sr-latn-rs" => &["srp_Latn"],
        "sr-cyrl" | "srp-cyrl" | "sr-cyrl-rs" => &["srp_Cyrl"],
        "sr" | "srp" | "sr-rs" | "serbian" => &["srp_Latn", "srp_Cyrl"],
        "cnr" | "sr-me" | "cnr-latn" | "montenegrin" => &["cnr_Latn"],
        "prs" | "fa-af" | "prs-af" | "dari" => &["prs_Arab"],
        "pes" | "fa-ir" | "persian" | "farsi" | "iranian persian" => &["pes_Arab"],
        _ => return None,
    };
    Some(langs.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_matched_in_any_spelling_variant() {
        assert_eq!(by_name("  رادیو فردا ").map(|s| s.host), Some("radiofarda.com"));
        // Arabic yeh and a joiner where Persian keyboards put Persian yeh.
        assert_eq!(by_name("رادیو\u{200c}آزادي").map(|s| s.host), Some("da.azadiradio.com"));
        assert_eq!(by_name("Radio Slobodna Europa").map(|s| s.langs), Some(&["hrv_Latn"][..]));
        assert_eq!(by_name("RADIO SLOBODNA EVROPA").map(|s| s.langs.len()), Some(5), "the whole Balkan service");
        assert!(by_name("Радио Слободна Европа").is_none(), "Serbian and Macedonian sign alike");
        assert!(by_name("A headline that merely mentions Radio Farda").is_none());
    }

    #[test]
    fn no_name_signs_for_two_services() {
        let mut seen = HashMap::new();
        for s in SERVICES {
            for n in s.names {
                assert!(seen.insert(key(n), s.host).is_none(), "{n} is listed twice");
            }
        }
    }

    #[test]
    fn hosts_name_their_languages() {
        assert_eq!(langs_of_host("www.radiofarda.com"), ["pes_Arab"]);
        assert_eq!(langs_of_host("DA.azadiradio.com:443"), ["prs_Arab"]);
        assert_eq!(langs_of_host("rus.azathabar.com"), ["rus_Cyrl"]);
        assert_eq!(langs_of_host("ru.krymr.com"), ["rus_Cyrl"]);
        let balkan = langs_of_host("www.slobodnaevropa.org");
        assert_eq!(balkan.len(), 5, "the Balkan service's languages once each: {balkan:?}");
        assert!(langs_of_host("example.com").is_empty());
        assert_eq!(
            by_name("Europa Liberă Moldova").map(|s| site_of(s.host)).as_deref(),
            Some("moldova.europalibera.org")
        );
        assert_eq!(site_of("azattyk.org"), "www.azattyk.org");
    }

    #[test]
    fn declarations_split_a_cluster_only_when_specific() {
        assert_eq!(declared_langs("hrv_Latn"), Some(vec!["hrv_Latn"]));
        assert_eq!(declared_langs("bs"), Some(vec!["bos_Latn"]));
        assert_eq!(declared_langs("fa-AF"), Some(vec!["prs_Arab"]));
        assert_eq!(declared_langs("Dari"), Some(vec!["prs_Arab"]));
        assert_eq!(declared_langs("sr"), Some(vec!["srp_Latn", "srp_Cyrl"]));
        assert_eq!(declared_langs("sh"), None);
        assert_eq!(declared_langs("Serbo-Croatian"), None);
        assert_eq!(declared_langs("fa"), None, "the macrolanguage: Dari too");
        assert_eq!(declared_langs("Радио Свобода"), Some(vec!["rus_Cyrl"]));
    }
}
