"""Answers: question types, extraction, citations, refusals, and the QA sets."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rank_bm25 import BM25Okapi

from bot.cli.compose import opened_library
from bot.cli.evaluate import evaluate
from bot.library import Library
from bot.settings import Settings
from retrieval import Segmenter
from retrieval.answer import Explained, _byline
from retrieval.candidates import QuestionContext, SentenceChoice, candidates_of
from retrieval.corpus import passage_terms
from retrieval.models import Answer, Kind
from retrieval.question import analyse
from retrieval.sentences import SNIPPET_MAX, Sentence

DATA = Path(__file__).parent / "data"


@pytest.fixture
def library(seeded_library: Library) -> Library:
    return seeded_library


@pytest.fixture(scope="module")
def encyclopedia(tmp_path_factory: pytest.TempPathFactory, segmenter: Segmenter) -> Iterator[Library]:
    """A library over the encyclopedia articles (tests/data/encyclopedia), for the tests
    that only ask it questions."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("encyclopedia") / "data", seeds_dir=DATA / "encyclopedia")
    with opened_library(settings, segmenter) as library:
        yield library


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def check_cited(answer: Answer) -> None:
    """Found, and the snippet is verbatim article text of at most 160 characters."""
    assert answer.found and answer.hits
    for hit in answer.hits:
        assert len(hit.snippet) <= SNIPPET_MAX
        body = squash("".join(hit.article.paragraphs))
        for piece in hit.snippet.split("…"):
            assert squash(piece) in body
        if hit.answer is not None and hit.answer_start is not None:
            assert hit.snippet[hit.answer_start :].startswith(hit.answer)


@pytest.mark.parametrize(
    ("question", "short", "title"),
    [
        ("密云区总工会培训了多少人", "300余人", "密云区总工会推进经费收支规范化管理"),
        ("首开天岳恒公司心理减压课有几名职工报名", "48名", "首开天岳恒公司工会开办职工心理减压课"),
        ("东城区工会会员有多少人", "17.9万余人", "东城区总工会列出12项重点工作清单"),
        ("平谷区总工会党组书记是谁", "张艳革", "平谷区总工会探索“党建+”工作模式"),
        ("东城区总工会党组书记是谁", "刘文维", "东城区总工会列出12项重点工作清单"),
        ("评价组赴大兴调研是谁带队", "司建", "市推进产业工人队伍建设改革工作评价组赴大兴调研"),
        ("化工竞赛决赛在哪里举行", "福建省泉州市", "全国化工行业职工职业技能竞赛举办"),
        ("数控工匠人才培训班在哪里开班", "首钢技师学院", "首都工匠学院2024年数控工匠人才培训班开班"),
        ("郾城区什么时候开始设立工会经费集中支付中心", "2014年9月", "漯河郾城区总工会实行工会经费集中支付管理"),
        ("网络安全宣传周普及了哪些法律", "网络安全法", "筑牢网络安全防线"),
        ("化工竞赛由哪些单位主办", "中国能源化学地质工会", "全国化工行业职工职业技能竞赛举办"),
    ],
)
def test_question_types_give_short_answers(library: Library, question: str, short: str, title: str) -> None:
    explained = library.answerer.explain(question)
    answer = explained.answer
    check_cited(answer)
    top = answer.hits[0]
    assert top.article.title == title
    assert explained.candidate is not None and short in explained.candidate  # the chosen candidate
    assert answer.answer is None or short in answer.answer  # printed only when sure
    assert short in top.snippet
    # the highlight is a claimed answer: only the printed one is highlighted
    assert top.answer == answer.answer and all(h.answer is None for h in answer.hits[1:])


def test_the_answer_cites_issue_and_reporter(library: Library) -> None:
    top = library.answer("密云区总工会培训了多少人").hits[0]
    assert top.article.issue == "001_4042bde3bc384a6e"
    assert top.article.reporters == ("王路曼",)
    assert "300余人答疑解惑" in top.snippet


def test_traditional_characters(library: Library) -> None:
    explained = library.answerer.explain("平谷區總工會黨組書記是誰")
    check_cited(explained.answer)
    assert explained.candidate == "张艳革" and explained.answer.answer in ("张艳革", None)


@pytest.mark.parametrize(
    "question",
    [
        "你好",
        "🙂🙂🙂",
        "<b>hello</b>",
        "怎么注册微信",
        "北京市总工会今年给职工发了多少年终奖",
        "石景山区总工会培训了多少人",  # a district the paper does not cover
        "海淀街道总工会财务培训一共培训了多少人",  # covered, but no count printed
        "明天北京会下雨吗",
        "",
        "   ",
    ],
)
def test_refuses_when_the_paper_does_not_say(library: Library, question: str) -> None:
    answer = library.answer(question)
    assert not answer.found and not answer.hits and answer.answer is None


def test_long_and_odd_input_is_answered_or_refused(library: Library) -> None:
    for question in ("密" * 10_000, "密云区\x00总工会\u202e培训了多少人\u200d", "👩‍👩‍👧 东城区覆盖了多少家企业"):
        answer = library.answer(question)
        assert answer.found in (True, False)
        for hit in answer.hits:
            assert len(hit.snippet) <= SNIPPET_MAX


def test_related_headlines_when_nothing_answers(library: Library) -> None:
    answer = library.answer("密云区总工会主席是谁")
    assert not answer.found
    assert "密云区总工会推进经费收支规范化管理" in [h.title for h in answer.related]


def test_bm25_scores_equal_rank_bm25_on_the_corpus(library: Library) -> None:
    corpus = library.corpus
    articles = list(corpus.articles())
    docs = passage_terms(library.segmenter, articles)
    reference = BM25Okapi(docs)
    for question in ("密云区总工会培训了多少人", "东城区覆盖了多少家企业", "香港工会联合会副理事长是谁"):
        terms = library.segmenter.query_terms(question)
        ours = corpus.bm25.scores(terms)
        theirs = reference.get_scores(terms)
        assert ours.shape == theirs.shape
        assert max(abs(a - b) for a, b in zip(ours, theirs, strict=True)) < 1e-9


@pytest.mark.parametrize(
    ("qa_file", "min_article", "min_answer", "min_abstain", "min_short", "min_precision"),
    [
        # the printing threshold is chosen with member-style questions the model is not
        # fitted on, and the model is fitted on questions over issues unlike the seeds
        # (benchmarks/fit_answer_model.py): fewer lines, fewer of them wrong; the validation
        # sets reach the precision target on their own, so fewer lines again
        ("dev_qa.jsonl", 0.95, 0.95, 1.0, 0.4, 0.95),
        ("extra_qa.jsonl", 0.85, 0.85, 0.7, 0.3, 0.95),
        ("holdout_qa.jsonl", 0.9, 0.9, 0.5, 0.25, 0.95),
        ("member_train.jsonl", 0.95, 0.85, 0.74, 0.25, 0.9),
    ],
)
def test_qa_sets(
    library: Library,
    explained_once: Callable[..., Explained],
    monkeypatch: pytest.MonkeyPatch,
    qa_file: str,
    min_article: float,
    min_answer: float,
    min_abstain: float,
    min_short: float,
    min_precision: float,
) -> None:
    """Retrieval and citations, and the answer lines: few printed wrong, enough printed."""
    monkeypatch.setattr(library.answerer, "explain", explained_once)
    figures = evaluate(library, DATA / qa_file)
    assert figures.passes(min_article, min_answer, min_abstain), figures.line() + "\n" + "\n".join(figures.misses)
    assert figures.precision >= min_precision, figures.line()
    assert figures.short_answer / figures.answerable >= min_short, figures.line()


def test_small_talk_is_refused_and_never_answered(
    library: Library, explained_once: Callable[..., Explained], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small talk and everyday questions: nearly all are not found, and at most one of 70 gets
    an answer line (中国有几个省 meets an article's "18个省" today)."""
    monkeypatch.setattr(library.answerer, "explain", explained_once)
    figures = evaluate(library, DATA / "offtopic_qa.jsonl")
    assert figures.printed <= 1, figures.line()
    assert figures.abstained >= 0.88 * figures.unanswerable, figures.line()


def test_encyclopedia_corpus_of_look_alike_articles(encyclopedia: Library) -> None:
    """48 encyclopedia articles in 12 Markdown files, several alike (rivers, universities,
    emperors), 120 reading-comprehension questions, a third of them paraphrased."""
    figures = evaluate(encyclopedia, DATA / "encyclopedia_qa.jsonl")
    assert figures.passes(0.95, 0.88, 0.0), figures.line() + "\n" + "\n".join(figures.misses)
    # two are refused by rule (a 几条 question answered by a name, a 多少 by a sum in 美元);
    # the learned found decision may refuse one answerable training question in 250, and
    # general-knowledge questions look more like small talk than the paper's do
    assert figures.wrongly_abstained <= 4, figures.line()


def test_encyclopedia_paragraphs_given_as_markdown(tmp_path: Path, segmenter: Segmenter) -> None:
    """Markdown issues of `## title` and plain paragraphs, with general-knowledge questions."""
    settings = Settings(data_dir=tmp_path / "wiki", seeds_dir=DATA / "wiki")
    with opened_library(settings, segmenter) as library:
        figures = evaluate(library, DATA / "wiki_qa.jsonl")
        assert figures.passes(1.0, 1.0, 0.0), figures.line() + "\n" + "\n".join(figures.misses)
        # the paper's words are not the question's; the found decision may refuse one or two
        # of these rather than cite an article for small talk (长江的源头在什么地方 is one)
        paraphrased = evaluate(library, DATA / "wiki_qa2.jsonl")
        assert paraphrased.passes(0.8, 0.8, 0.0), paraphrased.line() + "\n" + "\n".join(paraphrased.misses)
        assert library.answer("长江全长多少公里").hits[0].answer == "约6300公里"
        assert library.answer("北京大学创办于哪一年").hits[0].answer == "1898年"


def test_a_span_that_stands_whole_in_the_question_is_never_its_answer(encyclopedia: Library) -> None:
    """第一张较为完整的元素周期表是谁编制的: 张较 looks like a name but is the question's own
    words; the date of a range keeps its end (8月8日至24日)."""
    explained = encyclopedia.answerer.explain("第一张较为完整的元素周期表是谁编制的")
    assert explained.candidates and all(c.text != "张较" for c in explained.candidates)
    dated = encyclopedia.answerer.explain("2008年北京奥运会是在哪几天举行的")
    assert any("8月8日至24日" in c.text for c in dated.candidates)


def test_a_month_is_never_a_place(tmp_path: Path, segmenter: Segmenter) -> None:
    """在哪个场馆比的, over a sentence that names no hall: 9月 is a date, not the answer."""
    settings = Settings(data_dir=tmp_path / "data", seeds_dir=DATA / "unionnews")
    with opened_library(settings, segmenter) as library:
        explained = library.answerer.explain("唐山大练兵全市决赛在哪个场馆比的")
        assert explained.answer.answer != "9月"
        months = [c for c in explained.candidates if c.text == "9月"]
        assert months and all(c.features["type_match"] == 0.0 and c.features["is_date"] == 1.0 for c in months)


def test_the_words_of_the_title_count_less_in_choosing_the_sentence(library: Library) -> None:
    """Every sentence of an article is about its title, for questions of any kind: the
    sentence with 画 answers what the staff drew, not the lead that names the company."""
    answer = library.answer("首開天岳恆心理課讓職工畫了什麼")
    assert answer.kind is Kind.OTHER
    assert answer.found and "人生中的高光时刻" in answer.hits[0].snippet


def _features(library: Library, question_text: str, sentence: str) -> dict[str, dict[str, float]]:
    """The features of every candidate span of one sentence, by the span's text."""
    answerer = library.answerer
    question = analyse(question_text, library.segmenter, library.lexicon)
    weights = {t: 1.0 for t in question.terms}
    context = QuestionContext(
        question=question, weights=weights, total=float(len(weights)), article_coverage=1.0, margin=1.0,
        names_agree=1.0, byline=False, normalise=answerer.reader.normal, tag=answerer.reader.tag, lexicon=library.lexicon,
    )
    choice = SentenceChoice(paragraph=1, sentence=Sentence(text=sentence, start=0), score=1.0, rank=0, lead=False)
    return {c.text: c.features for c in candidates_of(context, [choice])}


def test_a_question_word_ties_to_a_span_only_within_its_clause(library: Library) -> None:
    """为期三天，培训学员 …: 培训 is asked about, but a comma stands between it and 三天,
    so 三天 is not tied to it; 300余名 in 培训学员300余名 is."""
    features = _features(library, "密云区总工会培训了多少学员", "活动为期三天，培训学员300余名，覆盖全区。")
    assert features["三天"]["tied_after"] == 0.0
    assert features["300余名"]["tied_before"] == 1.0
    assert features["300余名"]["noun_follows"] == 0.0
    named = _features(library, "密云区总工会培训了多少学员", "培训学员300余名学员。")
    assert named["300余名"]["noun_follows"] == 1.0


def test_figures_are_no_echo_and_an_unasked_ordinal_is_marked(library: Library) -> None:
    """三百人 shares 三 with 第三届 … only by chance; 第三届 answers 多少 less often than a
    count does, unless the question asks 第几."""
    features = _features(library, "第三届技能大赛有多少人参加", "第三届技能大赛共有三百人参加。")
    assert features["三百人"]["echo"] == 0.0
    ordinal = _features(library, "技能大赛有多少人参加", "第三届技能大赛共有三百人参加。")
    assert ordinal["第三届技能大赛"]["ordinal_unasked"] == ordinal["三届"]["ordinal_unasked"] == 1.0
    assert ordinal["三百人"]["ordinal_unasked"] == 0.0
    asked = _features(library, "这是第几届技能大赛", "第三届技能大赛共有三百人参加。")
    assert asked["第三届"]["ordinal_unasked"] == 0.0


def test_an_unnamed_thing_or_a_time_in_words_answers_no_which_question(library: Library) -> None:
    """在哪个滑雪场: 延庆区一处滑雪场 names none, and 今年年初 is a time, not a place."""
    features = _features(library, "嘉年华开幕是在哪个滑雪场", "今年年初，嘉年华在延庆区一处滑雪场开幕。")
    assert features["延庆区一处滑雪场"]["unnamed"] == 1.0
    assert features["延庆区一处滑雪场"]["type_match"] == 0.0
    assert features["今年"]["type_match"] == 0.0
    named = _features(library, "嘉年华开幕是在哪个滑雪场", "嘉年华在石京龙滑雪场开幕，第一处场地开放。")
    assert named["石京龙滑雪场"]["unnamed"] == 0.0 and named["石京龙滑雪场"]["type_match"] == 1.0


def test_a_quoted_name_is_marked_when_the_question_asks_what_something_is_called(library: Library) -> None:
    sentence = "鲁谷街道总工会开展“冰爽一夏”活动，为户外劳动者送西瓜。"
    called = _features(library, "送西瓜的活动叫什么", sentence)
    assert called["冰爽一夏"]["quoted_name_asked"] == 1.0
    assert called["鲁谷街道总工会"]["quoted_name_asked"] == 0.0
    who = _features(library, "送西瓜的活动是谁开展的", sentence)
    assert who["冰爽一夏"]["quoted_name_asked"] == 0.0


# articles about other places, beside the one a test asks about
_OTHER_PLACES = (
    "## 青石桥\n\n青石桥位于老城东门外，桥身用青石砌成，长约四十米。\n\n"
    "## 南山茶园\n\n南山茶园种植绿茶，每年清明前后采摘新茶。\n\n"
    "## 北湖公园\n\n北湖公园建于1985年，园内有湖心亭和九曲桥。\n\n"
    "## 老街灯会\n\n老街灯会在每年元宵节举办，展出各式花灯。\n"
)


def _answer_over(tmp_path: Path, segmenter: Segmenter, article: str, question: str) -> Answer:
    """The answer to a question over one issue: the article (a Markdown heading and its
    text) and the other places."""
    seeds = tmp_path / "issues"
    seeds.mkdir()
    (seeds / "issue.md").write_text("# 地方 001\n\n" + article + "\n\n" + _OTHER_PLACES, encoding="utf-8")
    with opened_library(Settings(data_dir=tmp_path / "data", seeds_dir=seeds), segmenter) as library:
        return library.answer(question)


@pytest.mark.parametrize(
    ("article", "question", "title", "snippet"),
    [
        # 什么 asks for no particular shape: a quoted name in a sentence that only names the
        # article's subject (its title) is no evidence; the sentence with the asked 原名 answers
        (
            "## 白鹭湖音乐节\n\n“清风杯”2019白鹭湖音乐节于2019年8月在湖畔草地举行，持续三天。"
            "白鹭湖音乐节原名白鹭湖民谣节，首届于2012年举办。音乐节每年吸引数万名乐迷。",
            "白鹭湖音乐节的原名是什么", "白鹭湖音乐节", "白鹭湖音乐节原名白鹭湖民谣节",
        ),
        # an article titled by a name alone (白云大厦) is about it in every sentence: the
        # sentence that says 建于 answers, not the one that repeats the name most
        (
            "## 白云大厦\n\n2005年，白云集团收购白云大厦，白云大厦亦改名为白云集团大厦。"
            "大楼建于1990年，楼高40层，是当时全市最高的建筑。",
            "白云大厦建于哪一年", "白云大厦", "大楼建于1990年",
        ),
    ],
    ids=["a quotation beside the subject alone", "the words of a title that only names the subject"],
)
def test_the_subject_s_own_words_do_not_choose_the_sentence(
    tmp_path: Path, segmenter: Segmenter, article: str, question: str, title: str, snippet: str
) -> None:
    answer = _answer_over(tmp_path, segmenter, article, question)
    assert answer.found and answer.hits[0].article.title == title
    assert answer.hits[0].snippet.startswith(snippet)


def test_a_sentence_that_points_back_is_cited_with_the_one_before(tmp_path: Path, segmenter: Segmenter) -> None:
    """因此，畜牧业发达 gives no reason on its own: the sentence before it is cited too."""
    article = (
        "## 青山镇\n\n青山镇位于河谷北岸，人口约三万。青山镇日照时间长，土壤肥沃，河流带来丰富的水源；"
        "因此，畜牧业发达，镇上的牛羊远销各地。镇北有一座百年石桥。"
    )
    answer = _answer_over(tmp_path, segmenter, article, "为什么青山镇的畜牧业发达")
    assert answer.found and answer.hits[0].article.title == "青山镇"
    assert answer.hits[0].snippet.startswith("青山镇日照时间长，土壤肥沃，河流带来丰富的水源；因此，畜牧业发达")


def test_the_side_of_a_change_asked_is_marked(library: Library) -> None:
    """夜班津贴由每班30元提高到45元: 45元 is what it is now, 30元 what it was."""
    sentence = "夜班津贴由每班30元提高到45元。"
    now = _features(library, "夜班津贴以后每班给多少", sentence)
    assert now["45元"]["change_side"] == 1.0 and now["30元"]["change_side"] == -1.0
    before = _features(library, "夜班津贴原来每班多少钱", sentence)
    assert before["30元"]["change_side"] == 1.0 and before["45元"]["change_side"] == -1.0


def test_this_year_is_not_last_year_but_an_article_need_not_say_this_year(library: Library) -> None:
    sentence = "去年，市总工会为12.6万名女职工提供免费筛查。"
    features = _features(library, "市总今年打算给多少女职工做筛查", sentence)
    assert features["12.6万名"]["qualifier_conflicts"] == 1.0
    question = analyse("全市今年体检了多少人", library.segmenter, library.lexicon)
    from retrieval.answer import _qualifier_missing

    assert not _qualifier_missing(question, "截至6月底全市体检1200人，比去年同期增加两成。")


def test_a_span_cut_inside_a_word_or_edged_by_a_function_word_is_marked(library: Library) -> None:
    from retrieval.candidates import _word_bounds

    sentence = "札尼别的去世导致了蓝帐汗国内战延续。"
    bounds, function_at = _word_bounds(library.answerer.reader.tag(sentence))
    at = sentence.index("了")
    assert at in function_at  # 了蓝帐汗国内战延续 begins with a particle
    assert sentence.index("导致") in bounds and sentence.index("致") not in bounds  # 致了… begins inside 导致


def test_a_figure_counting_another_noun_is_marked(library: Library) -> None:
    """98名职工代表 counts 代表, not the 职工 asked about (职工 only says whose); 300余名职工
    and 200多名职工群众 count the 职工, and so does 50名快递小哥 for 多少快递员's 小哥."""
    delegates = _features(library, "这次大会有多少职工参加", "大会有98名职工代表参加，列席人员12名。")
    assert delegates["98名"]["counts_another"] == 1.0
    assert delegates["98名"]["noun_follows"] == delegates["98名"]["noun_adjacent"] == 0.0
    workers = _features(library, "这次活动有多少职工参加", "活动吸引300余名职工参加。")
    assert workers["300余名"]["counts_another"] == 0.0
    assert workers["300余名"]["noun_follows"] == 1.0
    masses = _features(library, "这次活动有多少职工参加", "活动吸引200多名职工群众参加。")
    assert masses["200多名"]["counts_another"] == 0.0
    assert masses["200多名"]["noun_follows"] == 1.0


@pytest.mark.parametrize(
    "question",
    ["给我讲个故事吧", "帮我订张去上海的机票", "推荐几本好看的书", "麻烦帮我写个请假条", "后天北京下雪吗", "电脑蓝屏了怎么办", "周末哪里好玩"],
)
def test_a_task_asked_of_the_bot_is_refused(library: Library, question: str) -> None:
    """The paper reports: it tells no stories, books no tickets, writes nothing for anybody,
    knows nothing of the day of asking and gives no everyday advice."""
    answer = library.answer(question)
    assert not answer.found and not answer.hits


def test_a_recommendation_the_paper_reports_is_asked(library: Library) -> None:
    """推荐 names what the paper reports as well (推荐参评): not a task asked of the bot."""
    from retrieval.found import REQUEST_TO_THE_BOT

    assert REQUEST_TO_THE_BOT.search("推荐个人参评的有几名") is None
    assert REQUEST_TO_THE_BOT.search("一等奖选手推荐参评什么称号") is None
    from retrieval.found import DAY_OF_ASKING

    assert DAY_OF_ASKING.search("垡头司机入会点现在几点到几点开门") is None  # the paper's opening hours


@pytest.mark.parametrize(
    "question",
    ["医保卡丢了咋补办", "社保卡里的钱在哪能查", "附近哪有修自行车的", "今儿北京多少度啊", "北京冬天最冷多少度", "去医院挂号要带什么"],
)
def test_the_member_s_own_everyday_matters_are_refused(library: Library, question: str) -> None:
    """Where the member asks from, the weather, an errand with their own papers: no article
    reports them, whatever words they share with one."""
    answer = library.answer(question)
    assert not answer.found and not answer.hits


def test_the_paper_s_places_and_services_are_no_everyday_matters() -> None:
    """朝阳附近的站点, a heat rule in degrees, a service that hands papers out: the paper's."""
    from retrieval.found import EVERYDAY

    for question in ("想查朝阳附近的站点用哪个APP", "台湖那边气温到多少度就全停露天作业", "小关证照代办一个居住证要交多少手续费"):
        assert EVERYDAY.search(question) is None


_DRAGON_BOAT = (
    "## 怀柔区第三届职工龙舟赛落幕\n\n"
    "本报讯 6月2日，怀柔区第三届职工龙舟赛在雁栖湖举行，24支队伍参赛。"
    "混合组冠军由杨宋镇代表队获得，男子组冠军由庙城镇代表队获得。"
)


@pytest.mark.parametrize(
    ("question", "found"),
    [
        ("龙舟赛混合组第一名是哪个队", True),  # 第一名 and 第三届 count different things
        ("怀柔第二届职工龙舟赛是哪天办的", False),  # the article is of the 第三届: it does not say
        ("怀柔首届职工龙舟赛在哪办的", False),  # 首届 is the 第一届
    ],
)
def test_ordinals_are_compared_by_what_they_count(tmp_path: Path, segmenter: Segmenter, question: str, found: bool) -> None:
    assert _answer_over(tmp_path, segmenter, _DRAGON_BOAT, question).found is found


@pytest.mark.parametrize(
    ("speakers", "found"),
    [
        ("朝阳区总工会、北京东华医院工会作交流发言。", False),  # the union is listed, nobody of it is named
        ("朝阳区总工会副主席张良、北京东华医院工会主席李华作交流发言。", True),
    ],
)
def test_who_of_an_organisation_needs_somebody_named_with_it(tmp_path: Path, segmenter: Segmenter, speakers: str, found: bool) -> None:
    article = "## 市总工会召开医疗卫生行业工会工作推进会\n\n本报讯 5月12日，市总工会召开医疗卫生行业工会工作推进会。" + speakers
    answer = _answer_over(tmp_path, segmenter, article, "医疗卫生推进会上朝阳区总工会是谁发的言")
    assert answer.found is found


def test_a_referee_is_a_role_the_article_must_name(tmp_path: Path, segmenter: Segmenter) -> None:
    article = (
        "## 丰台区首届茶艺师职业技能竞赛落幕\n\n本报讯 9月8日，丰台区首届茶艺师职业技能竞赛落幕，46名选手参赛。"
        "北京茶韵茶艺馆选手司马清欢获一等奖。比赛裁判由北京市茶叶行业协会的8名专家担任，"
        "区总工会副主席钟离远介绍，一等奖选手将获推荐申报区五一劳动奖章。"
    )
    assert not _answer_over(tmp_path, segmenter, article, "丰台茶艺比赛的裁判长是谁").found


_CONTEST = (
    "## 西城区首届茶艺师职业技能竞赛落幕\n\n本报讯 9月8日，西城区首届茶艺师职业技能竞赛落幕，46名选手参赛。"
    "经过一天的比拼，北京茶韵茶艺馆茶艺师司马清欢获得一等奖，评茶员苌立新、庾晓萌获得二等奖，另有5名选手获得三等奖。"
    "区总工会副主席钟离远介绍，一等奖、二等奖、三等奖选手分别获得3000元、2000元、1000元奖金。"
)


@pytest.mark.parametrize(("question", "found"), [("西城茶艺比赛三等奖都有谁", False), ("西城茶艺比赛二等奖都有谁", True)])
def test_a_prize_given_by_count_names_nobody(tmp_path: Path, segmenter: Segmenter, question: str, found: bool) -> None:
    assert _answer_over(tmp_path, segmenter, _CONTEST, question).found is found


def test_who_by_a_profession_the_article_never_says_is_not_answered(tmp_path: Path, segmenter: Segmenter) -> None:
    article = (
        "## 东直门街道总工会开设职工“午间课堂”\n\n本报讯 东直门街道总工会在辖区商务楼宇开设职工“午间课堂”，"
        "每周三中午开讲理财、插花、急救等课程，已有320余名职工听课。街道总工会主席濮阳志远说，课堂将继续开下去。"
    )
    assert not _answer_over(tmp_path, segmenter, article, "东直门午间课堂讲理财的老师叫什么").found


def test_how_much_of_an_amount_the_article_never_says_is_not_answered(library: Library) -> None:
    """报名费 asked, and the article states a 奖金 and a 套装's value only: it does not say."""
    question = analyse("西城空竹比赛报名费要交多少", library.segmenter, library.lexicon)
    stated = "区总工会为获奖选手发放奖金共计1.2万元，每名参赛职工领取价值80元的运动套装。"
    assert library.answerer._amount_unsaid(question, stated)
    assert not library.answerer._amount_unsaid(question, stated + "报名费每人50元。")
    assert not library.answerer._amount_unsaid(analyse("西城空竹比赛奖金一共多少", library.segmenter, library.lexicon), stated)
    earned = analyse("什刹海三轮车工一个月能挣多少", library.segmenter, library.lexicon)  # 挣 asks an income
    assert library.answerer._amount_unsaid(earned, "车友之家面积约60平方米，设有休息座位18个。")
    assert not library.answerer._amount_unsaid(earned, "三轮车工旺季月收入约6000元。")
    pension = analyse("雍德胜退休以后一个月退休金多少", library.segmenter, library.lexicon)
    assert library.answerer._amount_unsaid(pension, "公司为每名退休职工发放纪念品，标准由800元调整为1000元。")
    members = analyse("他的劳模创新工作室有多少成员", library.segmenter, library.lexicon)
    assert library.answerer._amount_unsaid(members, "他带出徒弟19名，其中4人成为检定组长。")
    assert not library.answerer._amount_unsaid(members, "工作室有成员9名。")


def test_an_organisation_s_headcount_the_article_never_gives_is_not_answered(tmp_path: Path, segmenter: Segmenter) -> None:
    """京西钢构公司一共有多少职工: an article that counts the company's 120 drivers trained
    gives no headcount; one that says 公司现有职工1260名 does; 一共培训了多少职工 asks no
    headcount."""
    article = (
        "## 北京京西钢构有限公司工会开展安全培训\n\n本报讯 北京京西钢构有限公司工会近日组织安全生产培训，"
        "公司120名一线职工参加培训，培训共分3期。"
    )
    for place in ("a", "b", "c"):
        (tmp_path / place).mkdir()
    assert not _answer_over(tmp_path / "a", segmenter, article, "京西钢构公司一共有多少职工").found
    stated = article.replace("参加培训，", "参加培训。公司现有职工1260名，")
    assert _answer_over(tmp_path / "b", segmenter, stated, "京西钢构公司一共有多少职工").found
    assert _answer_over(tmp_path / "c", segmenter, article, "京西钢构安全培训一共培训了多少职工").found


def test_a_choice_is_not_answered_from_a_sentence_about_something_else(tmp_path: Path, segmenter: Segmenter) -> None:
    """体检是一年一次还是两年一次: the 1年 of 干1年和干10年拿的钱一样 says nothing of the 体检."""
    article = (
        "## 北京瑞禾物业服务有限公司工会推动保洁员“工龄工资”落地\n\n本报讯 经过3轮协商，双方于今年1月签订工资专项集体合同，"
        "明确从3月起为一线保洁员设立工龄工资：每满1年每月增加50元。过去，保洁员工资只按岗位标准发放，干1年和干10年拿的钱一样。"
        "合同还将一线职工健康体检由每两年一次调整为每年一次。"
    )
    answer = _answer_over(tmp_path, segmenter, article, "瑞禾物业一线职工体检现在是一年一次还是两年一次")
    assert answer.answer != "1年"


def test_a_reporter_asked_is_the_one_credited_as_记者(tmp_path: Path, segmenter: Segmenter) -> None:
    """哪个记者写的, the byline 记者 逯嘉言 通讯员 冉晓蕾: 逯嘉言, not both; 通讯员是谁: 冉晓蕾."""
    seeds = tmp_path / "issues"
    seeds.mkdir()
    (seeds / "issue.md").write_text(
        "# 工会 001\n\n" + _OTHER_PLACES + "\n\n## 北京康岳制药有限公司工会推动设立职工“陪护假”\n\n本报讯（记者 逯嘉言 通讯员 冉晓蕾）10月下旬，"
        "北京康岳制药有限公司工会推动设立职工陪护假，职工每年可请5天陪护假。\n\n公司工会主席归海振东表示，明年将推动把陪护假调整为7天。\n",
        encoding="utf-8",
    )
    with opened_library(Settings(data_dir=tmp_path / "data", seeds_dir=seeds), segmenter) as library:
        article = library.answer("陪护假那篇是哪个记者写的").hits[0].article

        def credited(question: str) -> str | None:
            span = _byline(article, analyse(question, library.segmenter, library.lexicon))
            return span.text if span is not None else None

        assert credited("陪护假那篇是哪个记者写的") == "逯嘉言"
        assert credited("陪护假那篇的通讯员是谁") == "冉晓蕾"
        assert credited("陪护假那篇稿子是谁写的") == "逯嘉言、冉晓蕾"



def test_what_an_organisation_only_listed_among_the_speakers_said_is_not_answered(tmp_path: Path, segmenter: Segmenter) -> None:
    """朝阳区总工会在推进会上介绍了啥经验: an article that lists it among those who spoke
    (…作交流发言) does not say; one where its vice-chair speaks (…副主席张良介绍，…) does."""
    listed = (
        "## 市总工会召开职工婚恋交友服务工作推进会\n\n本报讯 市总工会日前召开职工婚恋交友服务工作推进会。"
        "朝阳区总工会、昌平区总工会、北京京能集团工会作交流发言。会议要求，各级工会要搭建更多交友平台。"
    )
    for place in ("a", "b"):
        (tmp_path / place).mkdir()
    assert not _answer_over(tmp_path / "a", segmenter, listed, "交友推进会上朝阳区总工会介绍了啥做法").found
    spoken = listed.replace("作交流发言。", "作交流发言。朝阳区总工会副主席张良介绍，该区每季度举办一场青年职工联谊会。")
    assert _answer_over(tmp_path / "b", segmenter, spoken, "交友推进会上朝阳区总工会介绍了啥做法").found
