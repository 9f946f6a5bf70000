"""StUF-BG 03.10 vraag/antwoord for the Handelsregister objects (nnpLv01, macLv01, vesLv01).

``parse`` turns a Lv01 into a frozen :class:`~knoop_esb.vraag.model.Vraag`; ``selectie`` and
``ordening`` apply the StUF 03.01 selection, sortering and paging rules to StUF ``object``
elements; ``evaluatie`` gets those objects from the store or KVK; ``antwoord`` builds the La01;
``dienst.Beantwoorder`` ties them together for the endpoint handlers.
"""
