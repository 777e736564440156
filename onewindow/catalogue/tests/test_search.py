"""Pinyin helpers of the search."""

from onewindow.catalogue.search import pinyin_full, pinyin_initials


def test_it_makes_pinyin_initials():
    assert pinyin_initials("机动车注册登记") == "JDCZCDJ"
    assert pinyin_initials("住房公积金提取（购买自住住房）") == "ZFGJJTQGMZZZF"
    assert pinyin_initials("C1驾驶证增驾") == "C1JSZZJ"
    assert pinyin_initials("") == ""


def test_it_reads_polyphonic_characters_in_context():
    assert pinyin_initials("银行账户") == "YHZH"
    assert pinyin_initials("行政许可") == "XZXK"


def test_it_makes_full_pinyin():
    assert pinyin_full("机动车注册登记") == "jidongchezhucedengji"
    assert pinyin_full("结婚登记") == "jiehundengji"
