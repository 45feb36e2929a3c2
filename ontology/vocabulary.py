"""The ipkg ontology's vocabulary as Python constants. GENERATED from ontology/ipkg.ttl: do not edit.

Regenerate after changing ipkg.ttl with ``python -m ontology.generate`` (tests/test_vocabulary.py fails while this
file is stale). Entries stand in ipkg.ttl's order of declaration, which pictures' legends follow; the records
are defined in ontology/terms.py.
"""

from __future__ import annotations

from ontology.terms import DatatypeProperty, ObjectProperty, OntologyClass, Term

ONTOLOGY_IRI = "https://w3id.org/ipkg/ontology#"
ONTOLOGY = Term(
    name="ontology", iri="https://w3id.org/ipkg/ontology", zh="知识产权规划知识图谱本体",
    en="ipkg ontology of IP policy plans",
)

ANNOTATION_PROPERTIES: tuple[Term, ...] = (
    Term(
        name="cypherType", iri="https://w3id.org/ipkg/ontology#cypherType", zh="Cypher关系类型",
        en="Cypher relationship type",
    ),
    Term(
        name="cypherLabel", iri="https://w3id.org/ipkg/ontology#cypherLabel", zh="Cypher节点标签",
        en="Cypher node label",
    ),
    Term(
        name="cypherProperty", iri="https://w3id.org/ipkg/ontology#cypherProperty", zh="Cypher属性键",
        en="Cypher property key",
    ),
    Term(name="iriSegment", iri="https://w3id.org/ipkg/ontology#iriSegment", zh="IRI路径段", en="IRI path segment"),
    Term(name="pictureColour", iri="https://w3id.org/ipkg/ontology#pictureColour", zh="图示颜色", en="picture colour"),
    Term(name="pictureShape", iri="https://w3id.org/ipkg/ontology#pictureShape", zh="图示形状", en="picture shape"),
)

CLASSES: dict[str, OntologyClass] = {c.name: c for c in (
    OntologyClass(
        name="Plan", iri="https://w3id.org/ipkg/ontology#Plan", zh="规划", en="Plan",
        superclasses=("http://data.europa.eu/eli/ontology#LegalResource", "http://www.w3.org/ns/prov#Entity"),
        cypher_label="Plan", iri_segment="plan", colour="#1e88e5", shape="square",
    ),
    OntologyClass(
        name="Task", iri="https://w3id.org/ipkg/ontology#Task", zh="任务", en="Task",
        superclasses=("http://www.w3.org/ns/prov#Plan",), cypher_label="Task", iri_segment="task", colour="#90a4ae",
        shape="dot",
    ),
    OntologyClass(
        name="Indicator", iri="https://w3id.org/ipkg/ontology#Indicator", zh="指标", en="Indicator",
        superclasses=("http://www.w3.org/2004/02/skos/core#Concept",), cypher_label="Indicator",
        iri_segment="indicator", colour="#8e24aa", shape="triangle",
    ),
    OntologyClass(
        name="Target", iri="https://w3id.org/ipkg/ontology#Target", zh="目标值", en="Target",
        superclasses=("http://purl.org/linked-data/cube#Observation",), cypher_label="Target", iri_segment="target",
        colour="#ce93d8", shape="triangleDown",
    ),
    OntologyClass(
        name="Department", iri="https://w3id.org/ipkg/ontology#Department", zh="政府部门", en="Department",
        superclasses=("http://www.w3.org/ns/org#OrganizationalUnit", "http://www.w3.org/ns/prov#Agent"),
        cypher_label="Department", iri_segment="department", colour="#e53935", shape="hexagon",
    ),
    OntologyClass(
        name="Region", iri="https://w3id.org/ipkg/ontology#Region", zh="行政区划", en="Region",
        superclasses=("http://purl.org/dc/terms/Location",), cypher_label="Region", iri_segment="region",
        colour="#43a047", shape="star",
    ),
    OntologyClass(
        name="Industry", iri="https://w3id.org/ipkg/ontology#Industry", zh="产业", en="Industry",
        superclasses=("http://www.w3.org/2004/02/skos/core#Concept",), cypher_label="Industry", iri_segment="industry",
        colour="#fb8c00", shape="diamond",
    ),
    OntologyClass(
        name="Brand", iri="https://w3id.org/ipkg/ontology#Brand", zh="品牌", en="Brand",
        superclasses=("http://www.w3.org/ns/prov#Entity",), cypher_label="Brand", iri_segment="brand", colour="#f9a825",
        shape="dot",
    ),
    OntologyClass(
        name="GeographicalIndication", iri="https://w3id.org/ipkg/ontology#GeographicalIndication", zh="地理标志",
        en="Geographical indication", superclasses=("http://www.w3.org/ns/prov#Entity",),
        cypher_label="GeographicalIndication", iri_segment="gi", colour="#6d4c41", shape="diamond",
    ),
    OntologyClass(
        name="Organization", iri="https://w3id.org/ipkg/ontology#Organization", zh="组织机构", en="Organization",
        superclasses=("http://www.w3.org/ns/org#FormalOrganization", "http://www.w3.org/ns/prov#Agent"),
        cypher_label="Organization", iri_segment="org", colour="#00897b", shape="square",
    ),
    OntologyClass(
        name="IPType", iri="https://w3id.org/ipkg/ontology#IPType", zh="知识产权类型", en="IP type",
        superclasses=("http://www.w3.org/2004/02/skos/core#Concept",), cypher_label="IPType", iri_segment="iptype",
        colour="#3949ab", shape="star",
    ),
    OntologyClass(
        name="Responsibility", iri="https://w3id.org/ipkg/ontology#Responsibility", zh="责任分工", en="Responsibility",
        superclasses=("http://www.w3.org/ns/prov#Association",),
    ),
    OntologyClass(
        name="Reuse", iri="https://w3id.org/ipkg/ontology#Reuse", zh="文本沿用", en="Reuse",
        superclasses=("http://www.w3.org/ns/prov#Derivation",),
    ),
    OntologyClass(
        name="Evidence", iri="https://w3id.org/ipkg/ontology#Evidence", zh="证据", en="Evidence",
        superclasses=("http://www.w3.org/ns/oa#Annotation", "http://www.w3.org/ns/prov#Entity"), iri_segment="evidence",
    ),
)}

OBJECT_PROPERTIES: tuple[ObjectProperty, ...] = (
    ObjectProperty(
        name="issuedBy", iri="https://w3id.org/ipkg/ontology#issuedBy", zh="发布机关", en="issued by",
        cypher_type="ISSUED_BY", domain="https://w3id.org/ipkg/ontology#Plan", range="http://www.w3.org/ns/prov#Agent",
    ),
    ObjectProperty(
        name="governs", iri="https://w3id.org/ipkg/ontology#governs", zh="适用区域", en="governs",
        cypher_type="GOVERNS", domain="https://w3id.org/ipkg/ontology#Plan",
        range="https://w3id.org/ipkg/ontology#Region",
    ),
    ObjectProperty(
        name="implements", iri="https://w3id.org/ipkg/ontology#implements", zh="贯彻落实", en="implements",
        cypher_type="IMPLEMENTS", domain="https://w3id.org/ipkg/ontology#Plan",
        range="https://w3id.org/ipkg/ontology#Plan",
    ),
    ObjectProperty(
        name="hasTask", iri="https://w3id.org/ipkg/ontology#hasTask", zh="包含任务", en="has task",
        cypher_type="HAS_TASK", domain="https://w3id.org/ipkg/ontology#Plan",
        range="https://w3id.org/ipkg/ontology#Task",
    ),
    ObjectProperty(
        name="subtaskOf", iri="https://w3id.org/ipkg/ontology#subtaskOf", zh="隶属任务", en="subtask of",
        cypher_type="SUBTASK_OF", domain="https://w3id.org/ipkg/ontology#Task",
        range="https://w3id.org/ipkg/ontology#Task",
    ),
    ObjectProperty(
        name="responsibleFor", iri="https://w3id.org/ipkg/ontology#responsibleFor", zh="负责", en="responsible for",
        cypher_type="RESPONSIBLE_FOR", domain="https://w3id.org/ipkg/ontology#Department",
        range="https://w3id.org/ipkg/ontology#Task",
    ),
    ObjectProperty(
        name="qualifiedResponsibility", iri="https://w3id.org/ipkg/ontology#qualifiedResponsibility", zh="责任分工详情",
        en="qualified responsibility", domain="https://w3id.org/ipkg/ontology#Task",
        range="https://w3id.org/ipkg/ontology#Responsibility",
    ),
    ObjectProperty(
        name="responsibleAgent", iri="https://w3id.org/ipkg/ontology#responsibleAgent", zh="责任单位",
        en="responsible agent", domain="https://w3id.org/ipkg/ontology#Responsibility",
        range="https://w3id.org/ipkg/ontology#Department",
    ),
    ObjectProperty(
        name="concerns", iri="https://w3id.org/ipkg/ontology#concerns", zh="涉及", en="concerns",
        cypher_type="CONCERNS", domain="https://w3id.org/ipkg/ontology#Task",
        range="http://www.w3.org/2004/02/skos/core#Concept",
    ),
    ObjectProperty(
        name="setsTarget", iri="https://w3id.org/ipkg/ontology#setsTarget", zh="设定目标", en="sets target",
        cypher_type="SETS_TARGET", domain="https://w3id.org/ipkg/ontology#Plan",
        range="https://w3id.org/ipkg/ontology#Target",
    ),
    ObjectProperty(
        name="indicator", iri="https://w3id.org/ipkg/ontology#indicator", zh="衡量指标", en="indicator",
        cypher_type="MEASURES", domain="https://w3id.org/ipkg/ontology#Target",
        range="https://w3id.org/ipkg/ontology#Indicator",
    ),
    ObjectProperty(
        name="prioritizes", iri="https://w3id.org/ipkg/ontology#prioritizes", zh="重点产业", en="prioritizes",
        cypher_type="PRIORITIZES", domain="https://w3id.org/ipkg/ontology#Plan",
        range="https://w3id.org/ipkg/ontology#Industry",
    ),
    ObjectProperty(
        name="promotes", iri="https://w3id.org/ipkg/ontology#promotes", zh="培育推广", en="promotes",
        cypher_type="PROMOTES", domain="https://w3id.org/ipkg/ontology#Plan",
    ),
    ObjectProperty(
        name="locatedIn", iri="https://w3id.org/ipkg/ontology#locatedIn", zh="位于", en="located in",
        cypher_type="LOCATED_IN", range="https://w3id.org/ipkg/ontology#Region",
    ),
    ObjectProperty(
        name="partOf", iri="https://w3id.org/ipkg/ontology#partOf", zh="隶属", en="part of", cypher_type="PART_OF",
    ),
    ObjectProperty(
        name="broader", iri="https://w3id.org/ipkg/ontology#broader", zh="上位产业", en="broader industry",
        cypher_type="BROADER", domain="https://w3id.org/ipkg/ontology#Industry",
        range="https://w3id.org/ipkg/ontology#Industry",
    ),
    ObjectProperty(
        name="reuses", iri="https://w3id.org/ipkg/ontology#reuses", zh="沿用", en="reuses", cypher_type="REUSES",
    ),
    ObjectProperty(
        name="qualifiedReuse", iri="https://w3id.org/ipkg/ontology#qualifiedReuse", zh="沿用详情", en="qualified reuse",
        range="https://w3id.org/ipkg/ontology#Reuse",
    ),
    ObjectProperty(
        name="reusedEntity", iri="https://w3id.org/ipkg/ontology#reusedEntity", zh="被沿用对象", en="reused entity",
        domain="https://w3id.org/ipkg/ontology#Reuse",
    ),
    ObjectProperty(
        name="sourceEvidence", iri="https://w3id.org/ipkg/ontology#sourceEvidence", zh="被沿用原文",
        en="source evidence", domain="https://w3id.org/ipkg/ontology#Reuse",
        range="https://w3id.org/ipkg/ontology#Evidence",
    ),
    ObjectProperty(
        name="targetEvidence", iri="https://w3id.org/ipkg/ontology#targetEvidence", zh="沿用处原文",
        en="target evidence", domain="https://w3id.org/ipkg/ontology#Reuse",
        range="https://w3id.org/ipkg/ontology#Evidence",
    ),
    ObjectProperty(
        name="evidence", iri="https://w3id.org/ipkg/ontology#evidence", zh="证据", en="evidence",
        range="https://w3id.org/ipkg/ontology#Evidence",
    ),
    ObjectProperty(
        name="source", iri="https://w3id.org/ipkg/ontology#source", zh="来源文件", en="source document",
        domain="https://w3id.org/ipkg/ontology#Evidence",
    ),
)

DATATYPE_PROPERTIES: tuple[DatatypeProperty, ...] = (
    DatatypeProperty(
        name="name", iri="https://w3id.org/ipkg/ontology#name", zh="名称", en="name", cypher_property="name",
        range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="alias", iri="https://w3id.org/ipkg/ontology#alias", zh="别名", en="alias",
        range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="organizationKind", iri="https://w3id.org/ipkg/ontology#organizationKind", zh="机构类型",
        en="organisation kind", cypher_property="kind", domain="https://w3id.org/ipkg/ontology#Organization",
        range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="docNumber", iri="https://w3id.org/ipkg/ontology#docNumber", zh="文号", en="document number",
        cypher_property="doc_number", domain="https://w3id.org/ipkg/ontology#Plan",
        range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="issueDate", iri="https://w3id.org/ipkg/ontology#issueDate", zh="成文日期", en="issue date",
        cypher_property="issue_date", domain="https://w3id.org/ipkg/ontology#Plan",
        range="http://www.w3.org/2001/XMLSchema#date",
    ),
    DatatypeProperty(
        name="inCorpus", iri="https://w3id.org/ipkg/ontology#inCorpus", zh="语料内文件", en="in corpus",
        cypher_property="in_corpus", domain="https://w3id.org/ipkg/ontology#Plan",
        range="http://www.w3.org/2001/XMLSchema#boolean",
    ),
    DatatypeProperty(
        name="periodStart", iri="https://w3id.org/ipkg/ontology#periodStart", zh="规划起始年", en="period start",
        cypher_property="period_start", domain="https://w3id.org/ipkg/ontology#Plan",
        range="http://www.w3.org/2001/XMLSchema#gYear",
    ),
    DatatypeProperty(
        name="periodEnd", iri="https://w3id.org/ipkg/ontology#periodEnd", zh="规划终止年", en="period end",
        cypher_property="period_end", domain="https://w3id.org/ipkg/ontology#Plan",
        range="http://www.w3.org/2001/XMLSchema#gYear",
    ),
    DatatypeProperty(
        name="regionCode", iri="https://w3id.org/ipkg/ontology#regionCode", zh="行政区划代码", en="region code",
        cypher_property="code", domain="https://w3id.org/ipkg/ontology#Region",
        range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="level", iri="https://w3id.org/ipkg/ontology#level", zh="行政级别", en="level", cypher_property="level",
        domain="https://w3id.org/ipkg/ontology#Region", range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="functionType", iri="https://w3id.org/ipkg/ontology#functionType", zh="职能类型", en="function type",
        cypher_property="function_type", domain="https://w3id.org/ipkg/ontology#Department",
        range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="qualifiedName", iri="https://w3id.org/ipkg/ontology#qualifiedName", zh="规范全称",
        en="region-qualified name", cypher_property="qualified_name",
        domain="https://w3id.org/ipkg/ontology#Department", range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="unit", iri="https://w3id.org/ipkg/ontology#unit", zh="单位", en="unit", cypher_property="unit",
        domain="https://w3id.org/ipkg/ontology#Target", range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="baseline", iri="https://w3id.org/ipkg/ontology#baseline", zh="基期值", en="baseline",
        cypher_property="baseline", domain="https://w3id.org/ipkg/ontology#Target",
        range="http://www.w3.org/2001/XMLSchema#decimal",
    ),
    DatatypeProperty(
        name="baselineYear", iri="https://w3id.org/ipkg/ontology#baselineYear", zh="基期年", en="baseline year",
        cypher_property="baseline_year", domain="https://w3id.org/ipkg/ontology#Target",
        range="http://www.w3.org/2001/XMLSchema#gYear",
    ),
    DatatypeProperty(
        name="targetValue", iri="https://w3id.org/ipkg/ontology#targetValue", zh="目标值", en="target value",
        cypher_property="target", domain="https://w3id.org/ipkg/ontology#Target",
        range="http://www.w3.org/2001/XMLSchema#decimal",
    ),
    DatatypeProperty(
        name="targetYear", iri="https://w3id.org/ipkg/ontology#targetYear", zh="目标年", en="target year",
        cypher_property="target_year", domain="https://w3id.org/ipkg/ontology#Target",
        range="http://www.w3.org/2001/XMLSchema#gYear",
    ),
    DatatypeProperty(
        name="nature", iri="https://w3id.org/ipkg/ontology#nature", zh="指标属性", en="nature",
        cypher_property="nature", domain="https://w3id.org/ipkg/ontology#Target",
        range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="role", iri="https://w3id.org/ipkg/ontology#role", zh="角色", en="role",
        domain="https://w3id.org/ipkg/ontology#Responsibility", range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="explicit", iri="https://w3id.org/ipkg/ontology#explicit", zh="明确指定", en="explicit",
        domain="https://w3id.org/ipkg/ontology#Responsibility", range="http://www.w3.org/2001/XMLSchema#boolean",
    ),
    DatatypeProperty(
        name="reason", iri="https://w3id.org/ipkg/ontology#reason", zh="推断依据", en="reason",
        domain="https://w3id.org/ipkg/ontology#Responsibility", range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="similarity", iri="https://w3id.org/ipkg/ontology#similarity", zh="相似度", en="similarity",
        domain="https://w3id.org/ipkg/ontology#Reuse", range="http://www.w3.org/2001/XMLSchema#decimal",
    ),
    DatatypeProperty(
        name="share", iri="https://w3id.org/ipkg/ontology#share", zh="沿用比例", en="share",
        domain="https://w3id.org/ipkg/ontology#Reuse", range="http://www.w3.org/2001/XMLSchema#decimal",
    ),
    DatatypeProperty(
        name="matchedSentences", iri="https://w3id.org/ipkg/ontology#matchedSentences", zh="相同语句数",
        en="matched sentences", domain="https://w3id.org/ipkg/ontology#Reuse",
        range="http://www.w3.org/2001/XMLSchema#nonNegativeInteger",
    ),
    DatatypeProperty(
        name="reusedTasks", iri="https://w3id.org/ipkg/ontology#reusedTasks", zh="沿用任务数", en="reused tasks",
        domain="https://w3id.org/ipkg/ontology#Reuse", range="http://www.w3.org/2001/XMLSchema#nonNegativeInteger",
    ),
    DatatypeProperty(
        name="directed", iri="https://w3id.org/ipkg/ontology#directed", zh="方向已知", en="directed",
        domain="https://w3id.org/ipkg/ontology#Reuse", range="http://www.w3.org/2001/XMLSchema#boolean",
    ),
    DatatypeProperty(
        name="directionReason", iri="https://w3id.org/ipkg/ontology#directionReason", zh="方向依据",
        en="direction reason", domain="https://w3id.org/ipkg/ontology#Reuse",
        range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="text", iri="https://w3id.org/ipkg/ontology#text", zh="任务内容", en="text", cypher_property="text",
        domain="https://w3id.org/ipkg/ontology#Task", range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="sectionPath", iri="https://w3id.org/ipkg/ontology#sectionPath", zh="章节路径", en="section path",
        range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="sentence", iri="https://w3id.org/ipkg/ontology#sentence", zh="原文句子", en="sentence",
        domain="https://w3id.org/ipkg/ontology#Evidence", range="http://www.w3.org/2001/XMLSchema#string",
    ),
    DatatypeProperty(
        name="start", iri="https://w3id.org/ipkg/ontology#start", zh="起始位置", en="start offset",
        domain="https://w3id.org/ipkg/ontology#Evidence", range="http://www.w3.org/2001/XMLSchema#nonNegativeInteger",
    ),
    DatatypeProperty(
        name="end", iri="https://w3id.org/ipkg/ontology#end", zh="结束位置", en="end offset",
        domain="https://w3id.org/ipkg/ontology#Evidence", range="http://www.w3.org/2001/XMLSchema#nonNegativeInteger",
    ),
)

# the property graph's node labels and relationship types
NODE_LABELS: tuple[str, ...] = (
    "Plan", "Task", "Indicator", "Target", "Department", "Region", "Industry", "Brand", "GeographicalIndication",
    "Organization", "IPType",
)
REL_TYPES: tuple[str, ...] = (
    "ISSUED_BY", "GOVERNS", "IMPLEMENTS", "HAS_TASK", "SUBTASK_OF", "RESPONSIBLE_FOR", "CONCERNS", "SETS_TARGET",
    "MEASURES", "PRIORITIZES", "PROMOTES", "LOCATED_IN", "PART_OF", "BROADER", "REUSES",
)

# relationship type -> the object property stored under it
RELATIONS: dict[str, ObjectProperty] = {p.cypher_type: p for p in OBJECT_PROPERTIES if p.cypher_type}
# every term of the ipkg namespace, and their local names
TERMS: tuple[Term, ...] = (*ANNOTATION_PROPERTIES, *CLASSES.values(), *OBJECT_PROPERTIES, *DATATYPE_PROPERTIES)
NAMES: frozenset[str] = frozenset(t.name for t in TERMS)
# IRI -> (Chinese label, English label) of every labelled term, the ontology itself included
LABELS: dict[str, tuple[str, str]] = {t.iri: (t.zh, t.en) for t in (ONTOLOGY, *TERMS)}
