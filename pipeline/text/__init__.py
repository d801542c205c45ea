"""Language data and helpers shared by the stages: dates, ranks, sentences, slugs.

Data lives here once, so the article reader (who finds a rank in a byline) and the narrator
(who reads the rank aloud) cannot disagree about what "Tech. Sgt." is.
"""
