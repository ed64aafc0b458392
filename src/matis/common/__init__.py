"""What every app uses: countries, calendars (BE), request ids, and the shared kits.

Kits: ``tables`` (one Table model, the CSV and Excel writers with formula
neutralising, download responses), ``charts`` (the Vega-Lite base and
builders), ``files`` (upload checks, stored names, serving) and ``views``
(page helpers: ``require``, ``run_form``, ``measures_page``). ``common``
imports no domain app.
"""
