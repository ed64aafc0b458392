"""One generic mechanism that every register uses: specs, scope, forms, Excel, views, API, charts.

A register is described once by a :class:`~matis.registers.kit.specs.Register`
(its model, fields, filters, child rows, chart); the kit builds its pages,
its Excel import/export, its API endpoint and its chart from that description.
"""
