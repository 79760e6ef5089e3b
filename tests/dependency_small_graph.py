"""A small supply graph, written by hand, on which every dependency figure can be checked by eye.

Not a test module: the dependency, report and scenario tests load it into an in-memory store.

- amoxicillin: API from CN (2 suppliers) and IN (1) → HHI 5555.6, top CN 2/3, no EU/EEA supplier;
  batch release by one site in DE.
- abacavir: API from IN (1) and DE (1) → HHI 5000, EU/EEA share 0.5.
- lamivudine: API from CN only (2 suppliers) → single country, HHI 10000.
- abacavir--lamivudine: a combination (components abacavir, lamivudine); its own batch release in ES.
- paracetamol: API from DE, FR, IT, NL (one each) → HHI 2500 exactly; not critical anywhere.
- products: amoxicillin 500 (critical: Union list), abacavir/lamivudine (Union list via ATC),
  paracetamol (not critical), amoxicillin 250 (red on the Dutch list through its ATC code).
- stock: synthetic positions (MAH 4 weeks + wholesaler 2 weeks) for amoxicillin 500.
"""

from __future__ import annotations

from reasoner.namespaces import graph_iri
from reasoner.store import OxigraphStore, parse_rdf, rdf_format

PREFIXES = """
@prefix ms:      <https://w3id.org/medsupply/ontology#> .
@prefix msid:    <https://w3id.org/medsupply/id/> .
@prefix msg:     <https://w3id.org/medsupply/graph/> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
"""

COUNTRIES = PREFIXES + """
ms:ApiTier a ms:SupplyTier ; rdfs:label "active substance tier"@en .
ms:BatchReleaseTier a ms:SupplyTier ; rdfs:label "batch-release tier"@en .
ms:MahTier a ms:SupplyTier ; rdfs:label "marketing authorisation holder tier"@en .
ms:PreferredSupplierTier a ms:SupplyTier ; rdfs:label "preferred-supplier tier"@en .
ms:CriticalRed rdfs:label "red"@en .
<https://w3id.org/medsupply/id/list/ulcm-2.1-rev1> a ms:CriticalMedicinesList ; rdfs:label "Union list of critical medicines"@en .
<https://w3id.org/medsupply/id/country/CN> a ms:Country ; ms:isoAlpha2 "CN" ; rdfs:label "China"@en ; ms:euEeaMember false .
<https://w3id.org/medsupply/id/country/IN> a ms:Country ; ms:isoAlpha2 "IN" ; rdfs:label "India"@en ; ms:euEeaMember false .
<https://w3id.org/medsupply/id/country/DE> a ms:Country ; ms:isoAlpha2 "DE" ; rdfs:label "Germany"@en ; ms:euEeaMember true .
<https://w3id.org/medsupply/id/country/FR> a ms:Country ; ms:isoAlpha2 "FR" ; rdfs:label "France"@en ; ms:euEeaMember true .
<https://w3id.org/medsupply/id/country/IT> a ms:Country ; ms:isoAlpha2 "IT" ; rdfs:label "Italy"@en ; ms:euEeaMember true .
<https://w3id.org/medsupply/id/country/NL> a ms:Country ; ms:isoAlpha2 "NL" ; rdfs:label "Netherlands"@en ; ms:euEeaMember true .
<https://w3id.org/medsupply/id/country/ES> a ms:Country ; ms:isoAlpha2 "ES" ; rdfs:label "Spain"@en ; ms:euEeaMember true .
<https://w3id.org/medsupply/id/atc/J> a ms:ATCCode ; skos:notation "J" ; ms:atcLevel 1 ; skos:prefLabel "ANTIINFECTIVES FOR SYSTEMIC USE"@en .
<https://w3id.org/medsupply/id/atc/N> a ms:ATCCode ; skos:notation "N" ; ms:atcLevel 1 ; skos:prefLabel "NERVOUS SYSTEM"@en .
<https://w3id.org/medsupply/id/atc/J01CA04> a ms:ATCCode ; skos:notation "J01CA04" ; ms:atcLevel 5 ; skos:broader <https://w3id.org/medsupply/id/atc/J> .
<https://w3id.org/medsupply/id/atc/J05AR02> a ms:ATCCode ; skos:notation "J05AR02" ; ms:atcLevel 5 ; skos:broader <https://w3id.org/medsupply/id/atc/J> .
<https://w3id.org/medsupply/id/atc/N02BE01> a ms:ATCCode ; skos:notation "N02BE01" ; ms:atcLevel 5 ; skos:broader <https://w3id.org/medsupply/id/atc/N> .
<https://w3id.org/medsupply/id/atc/J01CA99> a ms:ATCCode ; skos:notation "J01CA99" ; ms:atcLevel 5 ; skos:broader <https://w3id.org/medsupply/id/atc/J> ;
    ms:nlCriticalCategory ms:CriticalRed .
"""

SUPPLIERS = PREFIXES + """
<https://w3id.org/medsupply/id/substance/amoxicillin> a ms:ActiveSubstance ; rdfs:label "amoxicillin"@en ; ms:atcCode <https://w3id.org/medsupply/id/atc/J01CA04> .
<https://w3id.org/medsupply/id/substance/abacavir> a ms:ActiveSubstance ; rdfs:label "abacavir"@en .
<https://w3id.org/medsupply/id/substance/lamivudine> a ms:ActiveSubstance ; rdfs:label "lamivudine"@en .
<https://w3id.org/medsupply/id/substance/abacavir--lamivudine> a ms:ActiveSubstance ; rdfs:label "abacavir, lamivudine"@en ;
    ms:isCombination true ; ms:hasComponent <https://w3id.org/medsupply/id/substance/abacavir> , <https://w3id.org/medsupply/id/substance/lamivudine> .
<https://w3id.org/medsupply/id/substance/paracetamol> a ms:ActiveSubstance ; rdfs:label "paracetamol"@en ; ms:atcCode <https://w3id.org/medsupply/id/atc/N02BE01> .

<https://w3id.org/medsupply/id/supplier/amoxicillin/api/CN/1> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/amoxicillin> ; ms:supplyTier ms:ApiTier ;
    ms:locatedIn <https://w3id.org/medsupply/id/country/CN> ; ms:reconstructed true .
<https://w3id.org/medsupply/id/supplier/amoxicillin/api/CN/2> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/amoxicillin> ; ms:supplyTier ms:ApiTier ;
    ms:locatedIn <https://w3id.org/medsupply/id/country/CN> ; ms:reconstructed true .
<https://w3id.org/medsupply/id/supplier/amoxicillin/api/IN/1> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/amoxicillin> ; ms:supplyTier ms:ApiTier ;
    ms:locatedIn <https://w3id.org/medsupply/id/country/IN> ; ms:reconstructed true .
<https://w3id.org/medsupply/id/supplier/amoxicillin/batch-release/DE/1> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/amoxicillin> ;
    ms:supplyTier ms:BatchReleaseTier ; ms:locatedIn <https://w3id.org/medsupply/id/country/DE> ; ms:reconstructed true .
<https://w3id.org/medsupply/id/supplier/abacavir/api/IN/1> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/abacavir> ; ms:supplyTier ms:ApiTier ;
    ms:locatedIn <https://w3id.org/medsupply/id/country/IN> ; ms:reconstructed true .
<https://w3id.org/medsupply/id/supplier/abacavir/api/DE/1> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/abacavir> ; ms:supplyTier ms:ApiTier ;
    ms:locatedIn <https://w3id.org/medsupply/id/country/DE> ; ms:reconstructed true .
<https://w3id.org/medsupply/id/supplier/lamivudine/api/CN/1> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/lamivudine> ; ms:supplyTier ms:ApiTier ;
    ms:locatedIn <https://w3id.org/medsupply/id/country/CN> ; ms:reconstructed true .
<https://w3id.org/medsupply/id/supplier/lamivudine/api/CN/2> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/lamivudine> ; ms:supplyTier ms:ApiTier ;
    ms:locatedIn <https://w3id.org/medsupply/id/country/CN> ; ms:reconstructed true .
<https://w3id.org/medsupply/id/supplier/abacavir--lamivudine/batch-release/ES/1> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/abacavir--lamivudine> ;
    ms:supplyTier ms:BatchReleaseTier ; ms:locatedIn <https://w3id.org/medsupply/id/country/ES> ; ms:reconstructed true .
<https://w3id.org/medsupply/id/site/para-de> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/paracetamol> ; ms:supplyTier ms:ApiTier ;
    ms:operatedBy <https://w3id.org/medsupply/id/org/para-maker> ; ms:locatedIn <https://w3id.org/medsupply/id/country/DE> .
<https://w3id.org/medsupply/id/site/para-fr> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/paracetamol> ; ms:supplyTier ms:ApiTier ;
    ms:operatedBy <https://w3id.org/medsupply/id/org/para-maker> ; ms:locatedIn <https://w3id.org/medsupply/id/country/FR> .
<https://w3id.org/medsupply/id/site/para-it> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/paracetamol> ; ms:supplyTier ms:ApiTier ; ms:locatedIn <https://w3id.org/medsupply/id/country/IT> .
<https://w3id.org/medsupply/id/site/para-nl> ms:suppliesSubstance <https://w3id.org/medsupply/id/substance/paracetamol> ; ms:supplyTier ms:ApiTier ; ms:locatedIn <https://w3id.org/medsupply/id/country/NL> .
"""

LISTS = PREFIXES + """
<https://w3id.org/medsupply/id/ulcm-entry/amoxicillin> a ms:UnionListEntry ; ms:onList <https://w3id.org/medsupply/id/list/ulcm-2.1-rev1> ;
    ms:concernsSubstance <https://w3id.org/medsupply/id/substance/amoxicillin> ; ms:atcCode <https://w3id.org/medsupply/id/atc/J01CA04> .
<https://w3id.org/medsupply/id/ulcm-entry/abacavir-lamivudine> a ms:UnionListEntry ; ms:onList <https://w3id.org/medsupply/id/list/ulcm-2.1-rev1> ;
    ms:atcCode <https://w3id.org/medsupply/id/atc/J05AR02> .
"""

PRODUCTS = PREFIXES + """
<https://w3id.org/medsupply/id/org/mah-a> a ms:MarketingAuthorisationHolder ; ms:locatedIn <https://w3id.org/medsupply/id/country/NL> .
<https://w3id.org/medsupply/id/org/mah-b> a ms:MarketingAuthorisationHolder ; ms:locatedIn <https://w3id.org/medsupply/id/country/DE> .
<https://w3id.org/medsupply/id/product/rvg-1> a ms:MedicinalProduct ; ms:productName "Amoxicilline 500 mg" ; ms:registrationNumber "RVG 1" ;
    ms:hasActiveSubstance <https://w3id.org/medsupply/id/substance/amoxicillin> ; ms:atcCode <https://w3id.org/medsupply/id/atc/J01CA04> ;
    ms:marketingAuthorisationHolder <https://w3id.org/medsupply/id/org/mah-a> .
<https://w3id.org/medsupply/id/product/rvg-2> a ms:MedicinalProduct ; ms:productName "Abacavir/Lamivudine 600/300 mg" ; ms:registrationNumber "RVG 2" ;
    ms:hasActiveSubstance <https://w3id.org/medsupply/id/substance/abacavir--lamivudine> ; ms:atcCode <https://w3id.org/medsupply/id/atc/J05AR02> ;
    ms:marketingAuthorisationHolder <https://w3id.org/medsupply/id/org/mah-b> .
<https://w3id.org/medsupply/id/product/rvg-3> a ms:MedicinalProduct ; ms:productName "Paracetamol 500 mg" ; ms:registrationNumber "RVG 3" ;
    ms:hasActiveSubstance <https://w3id.org/medsupply/id/substance/paracetamol> ; ms:atcCode <https://w3id.org/medsupply/id/atc/N02BE01> ;
    ms:marketingAuthorisationHolder <https://w3id.org/medsupply/id/org/mah-a> .
<https://w3id.org/medsupply/id/product/rvg-4> a ms:MedicinalProduct ; ms:productName "Amoxicilline 250 mg" ; ms:registrationNumber "RVG 4" ;
    ms:hasActiveSubstance <https://w3id.org/medsupply/id/substance/amoxicillin> ; ms:atcCode <https://w3id.org/medsupply/id/atc/J01CA99> ;
    ms:marketingAuthorisationHolder <https://w3id.org/medsupply/id/org/mah-b> .
"""

SYNTHETIC = PREFIXES + """
<https://w3id.org/medsupply/id/stock/syn/1> a ms:StockPosition ; ms:stockOf <https://w3id.org/medsupply/id/product/rvg-1> ; ms:heldBy <https://w3id.org/medsupply/id/org/mah-a> ;
    ms:holderRole ms:MahRole ; ms:weeksOfDemand 4.0 ; ms:positionDate "2026-11-01"^^xsd:date .
<https://w3id.org/medsupply/id/stock/syn/0> a ms:StockPosition ; ms:stockOf <https://w3id.org/medsupply/id/product/rvg-1> ; ms:heldBy <https://w3id.org/medsupply/id/org/mah-a> ;
    ms:holderRole ms:MahRole ; ms:weeksOfDemand 9.0 ; ms:positionDate "2026-10-01"^^xsd:date .
<https://w3id.org/medsupply/id/stock/syn/2> a ms:StockPosition ; ms:stockOf <https://w3id.org/medsupply/id/product/rvg-1> ; ms:heldBy <https://w3id.org/medsupply/id/org/wholesaler> ;
    ms:holderRole ms:WholesalerRole ; ms:weeksOfDemand 2.0 ; ms:positionDate "2026-11-01"^^xsd:date .
<https://w3id.org/medsupply/id/stock/syn/3> a ms:StockPosition ; ms:stockOf <https://w3id.org/medsupply/id/product/rvg-2> ; ms:heldBy <https://w3id.org/medsupply/id/org/mah-b> ;
    ms:holderRole ms:MahRole ; ms:weeksOfDemand 20.0 ; ms:positionDate "2026-11-01"^^xsd:date .
"""

CATALOG = PREFIXES + """
msg:api-suppliers dcterms:title "Small test suppliers" ; dcterms:issued "2026-09-20"^^xsd:date ; ms:synthetic false ;
    dcterms:bibliographicCitation "Hand-written test graph." .
msg:synthetic dcterms:title "Synthetic stock" ; dcterms:issued "2026-11-23"^^xsd:date ; ms:synthetic true ;
    dcterms:bibliographicCitation "Synthetic." .
"""

GRAPHS = {
    "countries": COUNTRIES, "api-suppliers": SUPPLIERS, "ulcm": LISTS, "wgp-2019": PRODUCTS,
    "synthetic": SYNTHETIC, "catalog": CATALOG,
}


def small_store() -> OxigraphStore:
    """A fresh in-memory store holding the small graph, one named graph per part."""
    store = OxigraphStore(None)
    for name, text in GRAPHS.items():
        store.add_quads(parse_rdf(text.encode(), rdf_format("ttl"), graph=graph_iri(name), where=name))
    return store
