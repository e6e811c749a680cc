package access

import (
	"encoding/json"
	"sort"
)

// The built-in catalog of AWS managed policies: the ones people attach to
// permission sets most, the job-function policies among them. Their
// documents are Atrium's own compact statements of what each AWS policy
// grants, not AWS's text: AdministratorAccess and PowerUserAccess grant
// exactly what AWS's do; the others are approximations built from
// Describe*/List*/Get*-style wildcards over the services they cover.
// `atrium policies import DIR` replaces them with AWS's current documents
// for exact equivalence, and seeding never overwrites what was imported.

// BuiltInAWSManagedPolicies returns the built-in catalog, ordered by ARN.
// Its version ids, source and times are left for the caller to set.
func BuiltInAWSManagedPolicies() []AWSManagedPolicy {
	out := make([]AWSManagedPolicy, 0, len(builtIn))
	for _, b := range builtIn {
		out = append(out, AWSManagedPolicy{ARN: AWSManagedPolicyARN(b.path, b.name), Name: b.name, Path: b.path,
			Description: b.description, Document: b.document(), Source: SourceBuiltIn})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ARN < out[j].ARN })
	return out
}

// BuiltInPath returns the path of a built-in AWS managed policy by name.
func BuiltInPath(name string) (string, bool) {
	for _, b := range builtIn {
		if b.name == name {
			return b.path, true
		}
	}
	return "", false
}

type builtInPolicy struct {
	name, path, description string
	document                func() string
}

// stmt is one statement of a built-in document.
type stmt struct {
	Sid       string   `json:",omitempty"`
	Effect    string   `json:"Effect"`
	Action    []string `json:",omitempty"`
	NotAction []string `json:",omitempty"`
	Resource  any      `json:"Resource"`
}

func allow(actions ...string) stmt { return stmt{Effect: "Allow", Action: actions, Resource: "*"} }

func (s stmt) named(sid string) stmt { s.Sid = sid; return s }

func (s stmt) on(resources ...string) stmt { s.Resource = resources; return s }

// document renders statements as a policy document.
func document(stmts ...stmt) string {
	b, err := json.Marshal(struct {
		Version   string
		Statement []stmt
	}{"2012-10-17", stmts})
	if err != nil {
		panic(err) // static data
	}
	return string(b)
}

// verbs returns service:verb for every service and verb.
func verbs(services []string, vs ...string) []string {
	out := make([]string, 0, len(services)*len(vs))
	for _, s := range services {
		for _, v := range vs {
			out = append(out, s+":"+v)
		}
	}
	return out
}

func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// readServices are the services whose configuration the read-only
// policies cover.
var readServices = []string{
	"access-analyzer", "acm", "acm-pca", "apigateway", "application-autoscaling", "appsync", "athena", "autoscaling",
	"backup", "batch", "cloud9", "cloudformation", "cloudfront", "cloudhsm", "cloudtrail", "cloudwatch", "codeartifact",
	"codebuild", "codecommit", "codedeploy", "codepipeline", "cognito-identity", "cognito-idp", "config", "datapipeline",
	"dax", "directconnect", "dms", "ds", "dynamodb", "ec2", "ecr", "ecs", "eks", "elasticache", "elasticbeanstalk",
	"elasticfilesystem", "elasticloadbalancing", "elasticmapreduce", "es", "events", "firehose", "fsx", "glacier",
	"globalaccelerator", "glue", "guardduty", "iam", "inspector2", "iot", "kafka", "kinesis", "kms", "lambda", "logs",
	"network-firewall", "organizations", "rds", "redshift", "route53", "route53domains", "route53resolver", "s3",
	"sagemaker", "securityhub", "servicecatalog", "ses", "shield", "sns", "sqs", "ssm", "sso", "states",
	"storagegateway", "tag", "waf", "wafv2", "xray",
}

// secretServices hold secret values, which no read-only policy reads:
// they get Describe* and List* only.
var secretServices = []string{"secretsmanager"}

var builtIn = []builtInPolicy{
	{
		name: "AdministratorAccess", path: "/",
		description: "Full access to every AWS service and resource.",
		document:    func() string { return document(allow("*")) },
	},
	{
		name: "PowerUserAccess", path: "/",
		description: "Full access to AWS services and resources, except the management of users, groups, the organization and the account.",
		document: func() string {
			return document(
				stmt{Effect: "Allow", NotAction: []string{"iam:*", "organizations:*", "account:*"}, Resource: "*"},
				allow("iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
					"organizations:DescribeOrganization", "organizations:DescribeEffectivePolicy",
					"account:GetAccountInformation", "account:GetPrimaryEmail", "account:ListRegions"),
			)
		},
	},
	{
		name: "ReadOnlyAccess", path: "/",
		description: "Read-only access to AWS services and resources, data included.",
		document: func() string {
			return document(
				allow(verbs(readServices, "Describe*", "Get*", "List*")...).named("ReadConfigurationAndData"),
				allow(join(verbs(secretServices, "Describe*", "List*"),
					[]string{"dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "athena:BatchGet*", "logs:FilterLogEvents", "logs:StartQuery", "sts:GetCallerIdentity"})...).named("QueryWithoutSecrets"),
			)
		},
	},
	{
		name: "ViewOnlyAccess", path: "/job-function/",
		description: "Lets a user see the resources and basic metadata of an account, without reading the data they hold.",
		document: func() string {
			return document(allow(join(
				verbs(readServices, "Describe*", "List*"),
				verbs(secretServices, "ListSecrets"),
				[]string{"s3:GetBucketLocation", "s3:GetBucketVersioning", "s3:GetBucketTagging", "iam:GetAccountSummary",
					"iam:GetAccountPasswordPolicy", "cloudwatch:GetMetricStatistics", "sts:GetCallerIdentity"},
			)...).named("ViewMetadata"))
		},
	},
	{
		name: "SecurityAudit", path: "/",
		description: "Read access to the security configuration of an account: settings, policies and logs' metadata.",
		document: func() string {
			return document(allow(join(
				verbs(readServices, "Describe*", "List*", "Get*Policy*", "Get*Configuration*"),
				verbs(secretServices, "Describe*", "List*", "GetResourcePolicy"),
				[]string{"iam:Get*", "iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails", "iam:SimulatePrincipalPolicy",
					"s3:GetBucket*", "s3:GetAccountPublicAccessBlock", "s3:GetEncryptionConfiguration", "cloudtrail:GetTrail*",
					"cloudtrail:GetEventSelectors", "config:Get*", "guardduty:Get*", "securityhub:Get*", "access-analyzer:Get*",
					"kms:GetKeyRotationStatus", "ec2:GetEbsEncryptionByDefault", "sts:GetCallerIdentity"},
			)...).named("ReadSecurityConfiguration"))
		},
	},
	{
		name: "Billing", path: "/job-function/",
		description: "Lets a billing and cost management user see and change bills, payments, budgets and cost reports.",
		document: func() string {
			return document(allow("aws-portal:*", "billing:*", "budgets:*", "ce:*", "cur:*", "consolidatedbilling:*",
				"cost-optimization-hub:*", "freetier:*", "invoicing:*", "payments:*", "pricing:*", "purchase-orders:*",
				"savingsplans:Describe*", "savingsplans:List*", "tax:*", "account:GetAccountInformation", "account:GetContactInformation",
				"account:ListRegions", "organizations:DescribeOrganization", "organizations:ListAccounts").named("ManageBilling"))
		},
	},
	{
		name: "SupportUser", path: "/job-function/",
		description: "Lets a support user open and follow AWS Support cases and look at the resources involved, read-only.",
		document: func() string {
			return document(
				allow("support:*", "trustedadvisor:Describe*", "health:Describe*").named("Support"),
				allow(verbs(readServices, "Describe*", "List*")...).named("Troubleshoot"),
			)
		},
	},
	{
		name: "DatabaseAdministrator", path: "/job-function/",
		description: "Lets a database administrator set up, configure and maintain the databases of an account.",
		document: func() string {
			return document(
				allow("rds:*", "dynamodb:*", "dax:*", "redshift:*", "elasticache:*", "datapipeline:*", "pi:*",
					"cloudwatch:*", "logs:*", "sns:CreateTopic", "sns:List*", "sns:Subscribe", "sns:Unsubscribe", "sns:SetTopicAttributes",
					"ec2:Describe*", "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:CreateSecurityGroup",
					"kms:Describe*", "kms:List*", "lambda:List*", "lambda:Get*", "s3:ListAllMyBuckets", "s3:GetBucketLocation",
					"iam:GetRole", "iam:ListRoles").named("ManageDatabases"),
				allow("s3:CreateBucket", "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject").on("arn:aws:s3:::*").named("DatabaseData"),
				allow("iam:PassRole").on("arn:aws:iam::*:role/rds-monitoring-role", "arn:aws:iam::*:role/rdbms-lambda-access").named("PassDatabaseRoles"),
			)
		},
	},
	{
		name: "NetworkAdministrator", path: "/job-function/",
		description: "Lets a network administrator set up and maintain the network resources of an account.",
		document: func() string {
			return document(
				allow("ec2:Describe*", "ec2:*Vpc*", "ec2:*Subnet*", "ec2:*Route*", "ec2:*Gateway*", "ec2:*NetworkAcl*",
					"ec2:*Vpn*", "ec2:*SecurityGroup*", "ec2:*Address*", "ec2:*DhcpOptions*", "ec2:*FlowLogs*",
					"ec2:*NetworkInterface*", "ec2:*PrefixList*", "ec2:*TransitGateway*", "ec2:CreateTags", "ec2:DeleteTags",
					"directconnect:*", "route53:*", "route53domains:*", "route53resolver:*", "elasticloadbalancing:*",
					"globalaccelerator:*", "network-firewall:*", "networkmanager:*", "cloudfront:List*", "cloudfront:Get*",
					"logs:Describe*", "logs:Get*", "logs:CreateLogGroup", "cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*",
					"iam:GetRole", "iam:ListRoles").named("ManageNetwork"),
				allow("iam:PassRole").on("arn:aws:iam::*:role/flow-logs-*").named("PassFlowLogsRole"),
			)
		},
	},
	{
		name: "SystemAdministrator", path: "/job-function/",
		description: "Lets a system administrator set up and maintain the compute, monitoring and deployment resources of an account.",
		document: func() string {
			return document(
				allow("ec2:*", "autoscaling:*", "elasticloadbalancing:*", "ssm:*", "cloudwatch:*", "logs:*", "events:*",
					"lambda:*", "codedeploy:*", "codecommit:*", "acm:*", "sns:*", "sqs:*", "ses:*", "route53:*",
					"cloudtrail:Describe*", "cloudtrail:Get*", "cloudtrail:List*", "cloudtrail:LookupEvents",
					"config:Describe*", "config:Get*", "config:List*", "ds:*", "kms:Describe*", "kms:List*", "rds:Describe*",
					"trustedadvisor:Describe*", "s3:CreateBucket", "s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetBucket*", "s3:PutBucket*",
					"iam:GetRole", "iam:ListRoles", "iam:ListInstanceProfiles", "iam:GetInstanceProfile", "iam:ListServerCertificates").named("ManageSystems"),
				allow("iam:PassRole").on("arn:aws:iam::*:role/*-sysadmin-*", "arn:aws:iam::*:role/rds-monitoring-role").named("PassSystemRoles"),
			)
		},
	},
	{
		name: "DataScientist", path: "/job-function/",
		description: "Lets a data scientist run machine learning and analytics jobs and the resources they need.",
		document: func() string {
			return document(
				allow("sagemaker:*", "elasticmapreduce:*", "machinelearning:*", "datapipeline:*", "athena:*", "glue:*",
					"kinesis:*", "firehose:*", "es:*", "sdb:*", "redshift:Describe*", "rds:Describe*", "dynamodb:Describe*",
					"dynamodb:List*", "cloudwatch:*", "logs:*", "autoscaling:*", "elasticfilesystem:*", "fsx:Describe*",
					"lambda:List*", "lambda:Get*", "lambda:InvokeFunction", "sns:List*", "sns:CreateTopic", "sns:Subscribe",
					"kms:Describe*", "kms:List*", "ec2:Describe*", "ec2:CreateSecurityGroup", "ec2:AuthorizeSecurityGroupIngress",
					"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "iam:GetRole", "iam:ListRoles").named("AnalyzeData"),
				allow("s3:CreateBucket", "s3:ListAllMyBuckets", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObject",
					"s3:PutObject", "s3:DeleteObject").named("DataBuckets"),
				allow("iam:PassRole").on("arn:aws:iam::*:role/DataPipelineDefaultRole", "arn:aws:iam::*:role/DataPipelineDefaultResourceRole",
					"arn:aws:iam::*:role/EMR_*", "arn:aws:iam::*:role/*SageMaker*").named("PassAnalyticsRoles"),
			)
		},
	},
}
