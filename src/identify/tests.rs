//! Unit tests: every sentence here was written for these tests (not taken from any corpus).

use super::*;

fn lang(text: &str) -> String {
    identify(text).lang
}

#[test]
fn each_service_language_from_own_sentences() {
    let cases: &[(&str, &str)] = &[
        ("eng_Latn", "The government said on Monday that the new law will be discussed by the parliament next week."),
        ("rus_Cyrl", "Правительство заявило в понедельник, что новый закон будет обсуждаться в парламенте на следующей неделе."),
        ("ukr_Cyrl", "Уряд заявив у понеділок, що новий закон буде обговорюватися у парламенті наступного тижня."),
        ("bel_Cyrl", "Урад заявіў у панядзелак, што новы закон будзе абмяркоўвацца ў парламенце на наступным тыдні."),
        ("kaz_Cyrl", "Үкімет дүйсенбі күні жаңа заң келесі аптада парламентте талқыланатынын мәлімдеді және бұл туралы хабарлады."),
        ("kir_Cyrl", "Өкмөт дүйшөмбү күнү жаңы мыйзам кийинки жумада парламентте талкууланарын билдирди жана бул тууралуу айтты."),
        ("tat_Cyrl", "Хөкүмәт дүшәмбе көнне яңа закон киләсе атнада парламентта тикшереләчәген белдерде һәм бу турында сөйләде."),
        ("bak_Cyrl", "Хөкүмәт дүшәмбе көндө яңы закон киләһе аҙнала парламентта тикшереләсәген белдерҙе һәм был тураһында һөйләне."),
        ("tgk_Cyrl", "Ҳукумат рӯзи душанбе эълон кард, ки қонуни нав ҳафтаи оянда дар порлумон баррасӣ мешавад."),
        ("uzn_Cyrl", "Ҳукумат душанба куни янги қонун келаси ҳафтада парламентда муҳокама қилинишини маълум қилди ва бу ҳақда гапирди."),
        ("uzn_Latn", "Hukumat dushanba kuni yangi qonun keyingi haftada parlamentda muhokama qilinishini ma'lum qildi va bu haqda gapirdi. Oʻzbekiston bo'yicha."),
        ("tuk_Latn", "Hökümet duşenbe güni täze kanunyň indiki hepde parlamentde ara alnyp maslahatlaşyljakdygyny aýtdy we bu barada gürrüň berdi."),
        ("azj_Latn", "Hökumət bazar ertəsi yeni qanunun gələn həftə parlamentdə müzakirə ediləcəyini bildirib və bu barədə məlumat verib."),
        ("crh_Latn", "Ükümet pazartesi künü yañı qanunnıñ kelecek afta parlamentte muzakere etilecegini bildirdi ve bu aqqında laf etti."),
        ("kaz_Latn", "Ükimet düisenbi küni jaña zañ kelesi aptada parlamentte talqylanatynyn mälimdedi jäne bul turaly habarlady."),
        ("hye_Armn", "Կառավարությունը երկուշաբթի հայտարարեց, որ նոր օրենքը կքննարկվի խորհրդարանում հաջորդ շաբաթ։"),
        ("kat_Geor", "მთავრობამ ორშაბათს განაცხადა, რომ ახალი კანონი პარლამენტში მომავალ კვირას განიხილება."),
        ("ron_Latn", "Guvernul a declarat luni că noua lege va fi discutată în parlament săptămâna viitoare."),
        ("als_Latn", "Qeveria tha të hënën se ligji i ri do të diskutohet në parlament javën e ardhshme."),
        ("hun_Latn", "A kormány hétfőn közölte, hogy az új törvényt a jövő héten tárgyalja a parlament."),
        ("mkd_Cyrl", "Владата во понеделникот соопшти дека новиот закон ќе се разгледува во парламентот следната недела."),
        ("bul_Cyrl", "Правителството заяви в понеделник, че новият закон ще бъде обсъден в парламента следващата седмица."),
        ("srp_Cyrl", "Влада је у понедељак саопштила да ће о новом закону парламент расправљати следеће недеље."),
        ("srp_Latn", "Vlada je u ponedeljak saopštila da će o novom zakonu parlament raspravljati sledeće nedelje, posle toga će predsednik reći svoju reč."),
        ("hrv_Latn", "Vlada je u ponedjeljak priopćila kako će o novom zakonu sabor raspravljati sljedećeg tjedna, a tisuće građana tijekom vikenda prosvjedovale su u Zagrebu."),
        ("bos_Latn", "Vlada je u ponedjeljak saopćila da će o novom zakonu parlament raspravljati naredne sedmice, a hiljade građana su tokom vikenda protestovale u Sarajevu."),
        ("cnr_Latn", "Vlada je u ponedjeljak saopštila da će o novom zakonu skupština raspravljati đe i sjutra, a hiljade građana su tokom vikenda protestovale u Podgorici."),
        ("pes_Arab", "دولت روز دوشنبه اعلام کرد که قانون جدید هفته آینده در مجلس بررسی می‌شود و دانشجویان دانشگاه تهران نیز در این باره اظهار نظر کردند."),
        ("prs_Arab", "حکومت روز دوشنبه اعلام کرد که قانون جدید هفته آینده در پارلمان بررسی میشود و محصلان پوهنتون کابل در ولسوالی ها نیز در این باره ابراز نظر کردند."),
        ("pbt_Arab", "حکومت د دوشنبې په ورځ اعلان وکړ چې نوی قانون به راتلونکې اونۍ په پارلمان کې وڅېړل شي."),
        ("che_Cyrl", "Правительство кхайкхийна оршотан дийнахь, керла закон тӀедогӀучу кӀиранахь парламенте дийцаре хир ю аьлла."),
        ("ava_Cyrl", "Гьукуматалъ итни къоялъ лъазабуна цӀияб закон хадусеб анкьида парламенталда бихьизабизе буго абун."),
    ];
    let mut wrong = Vec::new();
    for (want, text) in cases {
        let got = identify(text);
        if got.lang != *want {
            wrong.push(format!("{want}: got {} ({:.2}, runner-up {})", got.lang, got.confidence, got.runner_up));
        }
    }
    assert!(wrong.is_empty(), "misidentified:\n{}", wrong.join("\n"));
}

#[test]
fn look_alike_pairs() {
    // Russian vs Ukrainian vs Belarusian on short text
    assert_eq!(lang("Я не знаю, що він хоче від мене."), "ukr_Cyrl");
    assert_eq!(lang("Я не знаю, что он хочет от меня."), "rus_Cyrl");
    assert_eq!(lang("Я не ведаю, што ён хоча ад мяне."), "bel_Cyrl");
    // Bulgarian vs Macedonian vs Serbian
    assert_eq!(lang("Той каза, че ще дойде утре с децата си."), "bul_Cyrl");
    assert_eq!(lang("Тој рече дека ќе дојде утре со децата."), "mkd_Cyrl");
    assert_eq!(lang("Он је рекао да ће доћи сутра са децом."), "srp_Cyrl");
    // Kazakh vs Kyrgyz
    assert_eq!(lang("Біз ертең қалаға барамыз және достарымызбен кездесеміз."), "kaz_Cyrl");
    assert_eq!(lang("Биз эртең шаарга барабыз жана досторубуз менен жолугабыз."), "kir_Cyrl");
    // Tatar vs Bashkir
    assert_eq!(lang("Без иртәгә шәһәргә барабыз һәм дусларыбыз белән очрашабыз."), "tat_Cyrl");
    assert_eq!(lang("Беҙ иртәгә ҡалаға барабыҙ һәм дуҫтарыбыҙ менән осрашабыҙ."), "bak_Cyrl");
    // Tajik vs Uzbek Cyrillic
    assert_eq!(lang("Мо фардо ба шаҳр меравем ва бо дӯстонамон вомехӯрем."), "tgk_Cyrl");
    assert_eq!(lang("Биз эртага шаҳарга борамиз ва дўстларимиз билан учрашамиз."), "uzn_Cyrl");
    // Persian vs Pashto
    assert_eq!(lang("ما فردا به شهر می‌رویم و با دوستانمان دیدار می‌کنیم."), "pes_Arab");
    assert_eq!(lang("موږ به سبا ښار ته ولاړ شو او له خپلو ملګرو سره به ووینو."), "pbt_Arab");
    // Crimean Tatar vs Turkish vs Azerbaijani
    assert_eq!(lang("Biz yarın şeerge baramız ve dostlarımıznen körüşecekmiz, çoq qıyın olsa da."), "crh_Latn");
    assert_eq!(lang("Biz yarın şehre gidiyoruz ve arkadaşlarımızla buluşacağız, çok zor olsa da."), "tur_Latn");
    assert_eq!(lang("Biz sabah şəhərə gedirik və dostlarımızla görüşəcəyik, çox çətin olsa da."), "azj_Latn");
    // Serbian ekavian vs Croatian
    assert_eq!(lang("Deca su posle škole otišla na reku, jer je vreme bilo lepo."), "srp_Latn");
    assert_eq!(
        lang("Djeca su nakon škole otišla na rijeku jer je vrijeme bilo lijepo, a tko je htio, išao je i na nogomet."),
        "hrv_Latn"
    );
}

#[test]
fn other_languages_are_not_service_languages() {
    let cases: &[(&str, &str)] = &[
        ("Bugün hava çok güzel, bu yüzden arkadaşlarımla parkta yürüyüşe çıkacağım ve akşam eve döneceğim.", "tur_Latn"),
        ("Dzisiaj jest bardzo ładna pogoda, więc pójdę z przyjaciółmi na spacer do parku, a wieczorem wrócę do domu.", "pol_Latn"),
        ("Heute ist das Wetter sehr schön, deshalb gehe ich mit meinen Freunden im Park spazieren und komme am Abend nach Hause.", "deu_Latn"),
        ("اليوم الطقس جميل جدا، لذلك سأذهب مع أصدقائي إلى الحديقة التي في المدينة ثم أعود إلى المنزل في المساء.", "arb_Arab"),
        ("Өнөөдөр цаг агаар их сайхан байна, тиймээс би найзуудтайгаа цэцэрлэгт хүрээлэнд алхана гэж бодож байна.", "khk_Cyrl"),
        ("بۈگۈن ھاۋا بەك ياخشى، شۇڭا مەن دوستلىرىم بىلەن باغچىغا بېرىپ، كەچتە ئۆيگە قايتىمەن.", "uig_Arab"),
        ("Aujourd'hui il fait très beau, donc je vais me promener dans le parc avec mes amis et je rentrerai le soir.", "fra_Latn"),
    ];
    for (text, want) in cases {
        let g = identify(text);
        assert!(!SERVICE_LANGS.contains(&g.lang.as_str()), "{text}: got service language {}", g.lang);
        assert_eq!(g.lang, *want, "{text}");
    }
}

#[test]
fn south_azerbaijani_is_told_from_persian_by_its_turkic_endings() {
    // Few function words; the endings carry it: -lərin, -ləri, -ları, -maq; -lərində, -lar.
    assert_eq!(lang("مکتبلرین معلملری کیتابلاری اوخوماق ایسته‌ییرلر"), "azb_Arab");
    assert_eq!(lang("شهرین کوچه‌لرینده اوشاقلار اویناییرلار"), "azb_Arab");
    // Persian words that end like Turkic suffixes (مدیر -dir, دلار -lar) do not make Persian Azerbaijani.
    assert_eq!(lang("مدیر بانک مرکزی گفت قیمت دلار در بازار تهران کاهش یافته است"), "pes_Arab");
    let m = model::build(Group::Arabic);
    assert!(m.suffix("کیتابلاری").is_some() && m.suffix("لار").is_none(), "an ending needs two letters before it");
}

#[test]
fn palochka_variants_all_read_as_chechen() {
    // The same Chechen sentence with the palochka typed five ways.
    let base = "Со цӀа вогӀу, хӀинца тӀаккха дуккха а болх бу сан, кхана школе гӀур ву.";
    for p in ["Ӏ", "ӏ", "I", "1", "l"] {
        let text = base.replace('Ӏ', p);
        assert_eq!(lang(&text), "che_Cyrl", "palochka typed as {p:?}: {text}");
    }
    let avar = "Гьев вуго гьанже рокъове вачун, гьесул лъимал цӀакъ рохалида руго.";
    for p in ["Ӏ", "I", "1"] {
        assert_eq!(lang(&avar.replace('Ӏ', p)), "ava_Cyrl", "palochka as {p:?}");
    }
}

#[test]
fn empty_digits_and_punctuation_are_und() {
    for t in ["", "   ", "12345 678", "!!! ... ---", "\n\n", "2024-05-01 12:30"] {
        let g = identify(t);
        assert_eq!(g.lang, "und", "{t:?}");
        assert_eq!(g.script, "Zyyy");
        assert_eq!(g.confidence, 0.0);
    }
}

#[test]
fn confidence_is_a_probability_and_tracks_evidence() {
    let texts = [
        "a",
        "Da",
        "Привет",
        "The government said on Monday that the new law will be discussed by the parliament next week.",
        "Vlada je rekla",
        "ва",
    ];
    for t in texts {
        let g = identify(t);
        assert!((0.0..=1.0).contains(&g.confidence), "{t}: {}", g.confidence);
    }
    // a long clear text is surer than two ambiguous words
    let long = identify(texts[3]).confidence;
    let short = identify("Vlada je rekla").confidence;
    assert!(long > 0.95, "{long}");
    assert!(short < 0.8, "Serbo-Croatian without telling words must stay unsure: {short}");
}

#[test]
fn deterministic() {
    let t = "Уряд заявив у понеділок, що новий закон буде обговорюватися.\nПравительство заявило, что закон будет обсуждаться в парламенте на следующей неделе.";
    let a = identify(t);
    for _ in 0..5 {
        assert_eq!(identify(t), a);
    }
    // and the same across threads
    let handles: Vec<_> = (0..4).map(|_| std::thread::spawn(move || identify(t))).collect();
    for h in handles {
        assert_eq!(h.join().expect("thread"), a);
    }
}

#[test]
fn mixed_text_gets_shares() {
    let ukr = "Уряд заявив у понеділок, що новий закон буде обговорюватися у парламенті наступного тижня, і депутати вже готують свої пропозиції.";
    let rus = "Правительство заявило, что новый закон будет обсуждаться в парламенте.";
    let text = format!("{ukr}\n{ukr}\n{ukr}\n{rus}");
    let g = identify(&text);
    assert_eq!(g.lang, "ukr_Cyrl");
    assert!(g.languages.starts_with("ukr_Cyrl:0.8"), "{}", g.languages);
    assert!(g.languages.contains("rus_Cyrl:0.1") || g.languages.contains("rus_Cyrl:0.2"), "{}", g.languages);
    let single = identify(ukr);
    assert_eq!(single.languages, "ukr_Cyrl:1.00");
    // an English quote inside a Russian article is credited to English
    let eng = "The minister said that the decision was final and that nobody would change it.";
    let g = identify(&format!("{rus}\n{rus}\n{eng}"));
    assert_eq!(g.lang, "rus_Cyrl");
    assert!(g.languages.contains("eng_Latn:"), "{}", g.languages);
}

#[test]
fn script_is_reported() {
    assert_eq!(identify("Կառավարությունը հայտարարեց").script, "Armn");
    assert_eq!(identify("მთავრობამ განაცხადა").script, "Geor");
    assert_eq!(identify("Правительство заявило").script, "Cyrl");
    assert_eq!(identify("دولت اعلام کرد").script, "Arab");
    assert_eq!(identify("The government said").script, "Latn");
}

#[test]
fn run_detect_lines_and_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("a.txt");
    std::fs::write(&p, "The government said on Monday that the law will change.\n\nПравительство заявило в понедельник, что закон изменится.\n").expect("write");
    let mut out = Vec::new();
    run_detect(std::slice::from_ref(&p), false, "ours", &mut out).expect("run");
    let s = String::from_utf8(out).expect("utf8");
    let langs: Vec<&str> = s.lines().map(|l| l.split('\t').next().unwrap_or("")).collect();
    assert_eq!(langs, ["eng_Latn", "und", "rus_Cyrl"]);
    let mut out = Vec::new();
    run_detect(std::slice::from_ref(&p), true, "whatlang", &mut out).expect("run");
    let s = String::from_utf8(out).expect("utf8");
    assert_eq!(s.lines().count(), 1);
    assert!(s.starts_with(&format!("{}\t", p.display())), "{s}");
    assert!(run_detect(&[p], false, "nonsense", &mut Vec::new()).is_err());
    let missing = dir.path().join("missing.txt");
    assert!(run_detect(&[missing], true, "ours", &mut Vec::new()).is_err());
}

#[test]
fn serbo_croatian_syntax_and_word_formation() {
    // Same message, told apart only by syntax: modal + infinitive, "je li", "vidjet ćemo" (Croatian)
    // vs modal + da + present, "da li", one-word future (Serbian, ekavian).
    assert_eq!(lang("Ministar mora otići na sastanak, a je li to dobro, vidjet ćemo."), "hrv_Latn");
    assert_eq!(lang("Ministar mora da ode na sastanak, a da li je to dobro, videćemo."), "srp_Latn");
    // Loan verbs: organizirati/definirati (Croatian) vs organizovati/definisati.
    assert_eq!(lang("Oni su organizirali skup i definirali ciljeve, a vlada je reagirala."), "hrv_Latn");
    assert_ne!(lang("Oni su organizovali skup i definisali ciljeve, a vlada je reagovala."), "hrv_Latn");
    // Bosnian: ijekavian with hiljada, historija, sedmica, također, općina, juli.
    let bos = "Prošle sedmice je u općini održan skup o historiji grada, a prisustvovalo je više od hiljadu ljudi. \
               Također je dogovoreno da se nova izložba otvori u julu, kazao je načelnik.";
    assert_eq!(lang(bos), "bos_Latn");
    // Markers count in every case, not only in the forms listed (gospodarskim, uvjetima, liječnicima).
    assert_eq!(lang("Vlada je o gospodarskim uvjetima razgovarala s liječnicima."), "hrv_Latn");
    let ijekavian_not_croatian = lang("Vlada je o privrednim uslovima razgovarala sa ljekarima.");
    assert!(["bos_Latn", "cnr_Latn"].contains(&ijekavian_not_croatian.as_str()), "{ijekavian_not_croatian}");
    // an ijekavian text without listed variant words is not ekavian Serbian
    assert_ne!(lang("Njegova pjesma o djevojci iz susjednog sela postala je poznata."), "srp_Latn");
}

#[test]
fn serbo_croatian_helpers() {
    let forms = model::inflect("organiz", "ovati");
    assert!(forms.iter().any(|f| f == "organizuje") && forms.iter().any(|f| f == "organizovan"), "{forms:?}");
    assert!(model::inflect("defin", "isati").iter().any(|f| f == "definiše"));
    assert!(model::inflect("x", "unknown").is_empty());
    let nouns = model::inflect("dužnosnik", "noun_m");
    assert!(nouns.iter().any(|f| f == "dužnosnicima") && nouns.iter().any(|f| f == "dužnosnikom"), "{nouns:?}");
    assert!(!nouns.iter().any(|f| f == "dužnosnikima"), "{nouns:?}");
    assert!(model::inflect("gospodarsk", "adj").iter().any(|f| f == "gospodarskih"));
    assert!(text::has_ijekavian_jat("mjesto") && text::has_ijekavian_jat("gdje") && text::has_ijekavian_jat("htjeti"));
    assert!(
        !text::has_ijekavian_jat("mesto") && !text::has_ijekavian_jat("odjednom") && !text::has_ijekavian_jat("je")
    );
}

#[test]
fn persian_words_are_not_taken_for_dari() {
    // حمل (transport), سرطان (cancer), جدی (serious), میزان (amount) are everyday Persian words,
    // even though Dari month names share their spelling.
    let pes = "حمل و نقل عمومی در شهر با مشکل جدی روبرو است و میزان بیماری سرطان در استان افزایش یافته است.";
    assert_eq!(lang(pes), "pes_Arab");
    let prs = "مسوولین شفاخانه در ولسوالی گفتند که داکتران و مریضان زیادتر از سال گذشته استند.";
    assert_eq!(lang(prs), "prs_Arab");
}

#[test]
fn lingua_re_weighs_an_unsure_pair_it_knows_and_keeps_their_mass() {
    // A verdict that (wrongly) leans to Bulgarian on a plainly Russian sentence.
    let text = "Вчера вечером в городе прошёл сильный дождь, и многие улицы были затоплены.";
    let mut v = Verdict { ranked: vec![("bul_Cyrl", 0.55), ("rus_Cyrl", 0.35), ("kir_Cyrl", 0.10)] };
    tie_break(&mut v, Group::Cyrillic, text);
    assert_eq!(v.ranked[0].0, "rus_Cyrl", "{:?}", v.ranked);
    // Kyrgyz is not lingua's to judge: its share is untouched, and the pair still holds 0.9 between them.
    let kir = v.ranked.iter().find(|r| r.0 == "kir_Cyrl").unwrap().1;
    assert!((kir - 0.10).abs() < 1e-12);
    let pair: f64 = v.ranked.iter().filter(|r| r.0 != "kir_Cyrl").map(|r| r.1).sum();
    assert!((pair - 0.90).abs() < 1e-9);
}

#[test]
fn lingua_stays_out_when_sure_or_when_the_leader_is_not_its_language() {
    let text = "Вчера вечером в городе прошёл сильный дождь, и многие улицы были затоплены.";
    let sure = vec![("bul_Cyrl", 0.97), ("rus_Cyrl", 0.03)];
    let mut v = Verdict { ranked: sure.clone() };
    tie_break(&mut v, Group::Cyrillic, text);
    assert_eq!(v.ranked, sure);
    let kyrgyz_first = vec![("kir_Cyrl", 0.5), ("bul_Cyrl", 0.3), ("rus_Cyrl", 0.2)];
    let mut v = Verdict { ranked: kyrgyz_first.clone() };
    tie_break(&mut v, Group::Cyrillic, text);
    assert_eq!(v.ranked, kyrgyz_first);
}

#[test]
fn lingua_judges_the_serbo_croatian_cluster_as_one_and_keeps_its_inner_split() {
    // A plainly Croatian sentence that a verdict (wrongly) gives to Slovene.
    let text = "Vlada je u četvrtak objavila da će plaće u javnom sektoru porasti za pet posto od siječnja.";
    let mut v = Verdict { ranked: vec![("slv_Latn", 0.60), ("hrv_Latn", 0.25), ("bos_Latn", 0.15)] };
    tie_break(&mut v, Group::Latin, text);
    assert_eq!(v.ranked[0].0, "hrv_Latn", "{:?}", v.ranked);
    let p = |c: &str| v.ranked.iter().find(|r| r.0 == c).unwrap().1;
    // lingua decides between the cluster and Slovene, not between Croatian and Bosnian.
    assert!((p("hrv_Latn") / p("bos_Latn") - 0.25 / 0.15).abs() < 1e-9, "{:?}", v.ranked);
    assert!((v.ranked.iter().map(|r| r.1).sum::<f64>() - 1.0).abs() < 1e-9);
}

#[test]
fn a_sure_look_alike_is_checked_but_kept_when_lingua_agrees() {
    // Non-service look-alikes on top are re-weighed even when the own model is sure...
    let hr = "Vlada je u četvrtak objavila da će plaće u javnom sektoru porasti za pet posto od siječnja.";
    let mut v = Verdict { ranked: vec![("slv_Latn", 0.97), ("hrv_Latn", 0.03)] };
    tie_break(&mut v, Group::Latin, hr);
    assert_eq!(v.ranked[0].0, "hrv_Latn", "{:?}", v.ranked);
    // ...and real Slovene stays Slovene.
    let sl = "Vlada je v četrtek sporočila, da se bodo plače v javnem sektorju zvišale za pet odstotkov.";
    let mut v = Verdict { ranked: vec![("slv_Latn", 0.97), ("hrv_Latn", 0.03)] };
    tie_break(&mut v, Group::Latin, sl);
    assert_eq!(v.ranked[0].0, "slv_Latn", "{:?}", v.ranked);
    // A service language that is sure is left alone.
    let sure = vec![("hrv_Latn", 0.97), ("slv_Latn", 0.03)];
    let mut v = Verdict { ranked: sure.clone() };
    tie_break(&mut v, Group::Latin, sl);
    assert_eq!(v.ranked, sure);
}

#[test]
fn turkic_latin_endings_tell_azerbaijani_turkish_and_crimean_tatar_apart() {
    let m = model::build(Group::Latin);
    let codes: Vec<&str> = m.codes.iter().map(|c| c.unwrap_or("")).collect();
    let at = |c: &str| codes.iter().position(|x| *x == c).unwrap();
    // The Azerbaijani evidential perfect (bildirib) against the Turkish / Crimean Tatar converb (bildirip).
    let perfect = m.suffix("bildirib").expect("listed ending");
    assert!(perfect[at("azj_Latn")] > perfect[at("crh_Latn")] + 2.0);
    assert!(perfect[at("azj_Latn")] > perfect[at("tur_Latn")] + 2.0);
    let converb = m.suffix("olıp").expect("listed ending");
    assert!(converb[at("crh_Latn")] > converb[at("azj_Latn")] + 2.0);
    // The Turkish progressive is Turkish alone.
    let progressive = m.suffix("söylüyor").expect("listed ending");
    assert!(progressive[at("tur_Latn")] > progressive[at("azj_Latn")] + 2.0);
    assert!(progressive[at("tur_Latn")] > progressive[at("crh_Latn")] + 2.0);
    // Languages that list no ending are neutral: "club" says nothing between English, German and Croatian.
    let club = m.suffix("club").expect("ends like -ub");
    assert_eq!(club[at("eng_Latn")], club[at("deu_Latn")]);
    assert_eq!(club[at("eng_Latn")], club[at("hrv_Latn")]);
    assert!(
        club[at("eng_Latn")] > club[at("crh_Latn")],
        "a language that lists endings but not this one gets the floor"
    );
    // Sentences: Azerbaijani without ə or x, a Turkish one with the progressive.
    assert_eq!(lang("Nazir bildirib ki, bu il qaz satışı artıb."), "azj_Latn");
    assert_eq!(lang("Bakan bu yıl gaz satışının arttığını söylüyor."), "tur_Latn");
}

#[test]
fn letters_of_capitalised_words_are_counted_apart_for_the_absence_term() {
    let eng = engine();
    // Names: Natiq Quliyev (2 words, 12 letters), Bakıda at the sentence start (6) — 18 of 48 letters.
    let f = segment_features(&eng.models, "Bakıda Natiq Quliyev polis tərəfindən saxlanılıb bu gün");
    let latin = &f.groups[group_index(Group::Latin)];
    assert_eq!(latin.letters, 48);
    assert_eq!(latin.name_letters, 18);
    // An Azerbaijani sentence thick with names and without ə or x is still Azerbaijani.
    let text =
        "Polis bildirib ki, Bakıda Natiq Quliyev, Samir Babayev, Anar Musayev, Ruslan Cabbarov, Tural Kazımov tutulub.";
    assert_eq!(lang(text), "azj_Latn");
}

#[test]
fn south_azerbaijani_everyday_words_and_verbs() {
    // No Turkic ending the suffix table knows; the words themselves (indi, heç, necə, gəlir, gedir, böyük,
    // ölkə, dövlət) carry it.
    assert_eq!(lang("ایندی هئچ نئجه گلیر گئدیر"), "azb_Arab");
    assert_eq!(lang("بؤیوک اؤلکه دؤولت"), "azb_Arab");
}

#[test]
fn a_source_prior_splits_a_look_alike_cluster_and_nothing_else() {
    // No word here tells Bosnian, Croatian and Serbian apart.
    let neutral = "Ministar je u utorak razgovarao sa predstavnicima nekoliko zemalja o vodi i struji.";
    let plain = identify(neutral);
    assert!(confusable_group(&plain.lang).is_some() && plain.confidence < 0.8, "{plain:?}");
    for want in ["bos_Latn", "hrv_Latn", "srp_Latn"] {
        let g = identify_with(neutral, &[want]);
        assert_eq!(g.lang, want, "declared {want}: {g:?}");
        assert!(g.confidence > 0.5, "the prior decides with some confidence: {g:?}");
    }
    // Naming the whole cluster (the Balkan service's host) says nothing about the split.
    assert_eq!(identify_with(neutral, &["bos_Latn", "hrv_Latn", "srp_Latn", "srp_Cyrl", "cnr_Latn"]), plain);
    // A prior never moves a text out of its cluster, nor acts where there is no cluster.
    assert_eq!(identify_with(neutral, &["pes_Arab"]), plain);
    let russian = "Правительство заявило в понедельник, что новый закон будет обсуждаться в парламенте.";
    assert_eq!(identify_with(russian, &["ukr_Cyrl"]), identify(russian));
    // A text that tells its language overrules a wrong declaration.
    let croatian = "Tisuću ljudi je tijekom tjedna došlo na sveučilište po kruh i mlijeko.";
    assert_eq!(lang(croatian), "hrv_Latn");
    assert_eq!(identify_with(croatian, &["srp_Latn"]).lang, "hrv_Latn");
    // Persian and Dari: the service decides a text that could be either.
    let farsi = "وزیر خارجه روز سه شنبه با نمایندگان چند کشور دیدار کرد و درباره آب و برق گفتگو شد.";
    assert_eq!(identify_with(farsi, &["pes_Arab"]).lang, "pes_Arab");
    assert_eq!(identify_with(farsi, &["prs_Arab"]).lang, "prs_Arab");
}
