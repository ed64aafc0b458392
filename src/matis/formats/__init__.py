"""Django format modules for languages Django ships none for (Lao, Burmese).

Without them Django shows every date of a Lao or Burmese page in English ("Dec. 3, 2026").
Day-month-year numbers as CLDR writes them (the pages format dates with
:mod:`matis.common.l10n`; these cover the values Django renders itself). Input formats are
not set here: the global ones apply.
"""
