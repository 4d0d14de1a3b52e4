metadata description = 'Tianmu: the WeChat mini-program login and profile API on Azure Functions (Flex Consumption), with its storage, Key Vault and monitoring. Deploy into an empty resource group; see docs/DEPLOY.md.'

import { pushAesKeysByApp, pushTokensByApp, resourceTags, serverKeysByApp } from 'modules/common.bicep'

targetScope = 'resourceGroup'

@description('Short prefix of every resource name: 2-10 lowercase letters or digits.')
@minLength(2)
@maxLength(10)
param namePrefix string = 'tianmu'

@description('Azure region of every resource; it must offer the Flex Consumption plan (az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('WeChat app ids served by this deployment (each matching ^[A-Za-z0-9_]{1,64}$; a hyphen cannot appear in a Linux app setting name).')
@minLength(1)
param appIds string[]

@description('WeChat AppSecret of every app id in appIds, as an object keyed by app id: {"wx0123456789abcdef": "<secret>"}. Stored in Key Vault only.')
@secure()
param appSecrets { *: string }

@description('Current token signing key (ES256): a PEM PKCS#8 P-256 private key, from `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`. Stored in Key Vault only.')
@secure()
param jwtPrivateKey string

@description('PEM bundle of retired public keys whose tokens are still accepted until they expire (`openssl pkey -in old.pem -pubout`); empty for none. Stored in Key Vault beside the private key.')
@secure()
param jwtPreviousPublicKeys string = ''

@description('Server key of each app that has server routes, keyed by app id: {"wx0123456789abcdef": "<at least 32 characters>"}. Apps not in it have no server routes. Stored in Key Vault only.')
param appServerKeys serverKeysByApp = {}

@description('WeChat message push token (3-32 characters) of each app that receives pushes, keyed by app id. Apps not in it have no push route. Stored in Key Vault only.')
param appPushTokens pushTokensByApp = {}

@description('WeChat message push EncodingAESKey (43 characters) of each app in safe mode, keyed by app id. Stored in Key Vault only.')
param appPushAesKeys pushAesKeysByApp = {}

@description('Issuer written into and required from tokens.')
param jwtIssuer string = 'tianmu'

@description('Table holding the user profiles.')
@minLength(3)
@maxLength(63)
param tableName string = 'profiles'

@description('Replication of the storage account (Standard_ZRS where the region offers it).')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param storageSku string = 'Standard_LRS'

@description('Maximum number of instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Key Vault purge protection (recommended in production; once on, it cannot be turned off).')
param enableKeyVaultPurgeProtection bool = true

@description('Days Log Analytics keeps the data.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Daily ingestion cap of the Log Analytics workspace, in GB: past it, logs and telemetry stop until the next day, so a flood cannot become a bill.')
@minValue(1)
param logDailyQuotaGb int = 5

@description('WeChat server API base URL (Tianmu__WeChat__ApiBaseUrl). It must start with https://; anything else fails the deployment.')
param weChatApiBaseUrl string = 'https://api.weixin.qq.com'

@description('Put Azure Front Door (Standard) with a WAF rate limit in front of the app; the app then accepts only that Front Door\'s traffic.')
param enableFrontDoor bool = false

@description('With Front Door: requests one client IP may send per minute across all instances before Front Door answers 429.')
@minValue(10)
param frontDoorRateLimitPerMinute int = 600

@description('Tags applied to every resource.')
param tags resourceTags = {}

// Deterministic per resource group and prefix: redeploying updates the same resources.
var token = uniqueString(resourceGroup().id, namePrefix)
var prefix = toLower(namePrefix)
var names = {
  logAnalytics: 'log-${prefix}-${token}'
  applicationInsights: 'appi-${prefix}-${token}'
  storageAccount: take('st${replace(prefix, '-', '')}${token}', 24)
  avatarStorageAccount: take('stav${replace(prefix, '-', '')}${token}', 24)
  avatarContainer: 'avatars'
  keyVault: take('kv-${prefix}-${token}', 24)
  plan: 'plan-${prefix}-${token}'
  functionApp: 'func-${prefix}-${token}'
  deploymentContainer: 'app-package'
  frontDoorProfile: 'afd-${prefix}-${token}'
  frontDoorEndpoint: 'fde-${prefix}-${token}'
  wafPolicy: 'waf${replace(prefix, '-', '')}${token}'
}

module monitoring 'modules/monitoring.bicep' = {
  name: '${uniqueString(deployment().name, location)}-monitoring'
  params: {
    location: location
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    retentionInDays: logRetentionInDays
    dailyQuotaGb: logDailyQuotaGb
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: '${uniqueString(deployment().name, location)}-storage'
  params: {
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    location: location
    storageAccountName: names.storageAccount
    skuName: storageSku
    deploymentContainerName: names.deploymentContainer
    tableName: tableName
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: '${uniqueString(deployment().name, location)}-keyvault'
  params: {
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    location: location
    keyVaultName: names.keyVault
    enablePurgeProtection: enableKeyVaultPurgeProtection
    softDeleteRetentionInDays: 90
    appIds: appIds
    appSecrets: appSecrets
    jwtPrivateKey: jwtPrivateKey
    jwtPreviousPublicKeys: jwtPreviousPublicKeys
    appServerKeys: appServerKeys
    appPushTokens: appPushTokens
    appPushAesKeys: appPushAesKeys
    tags: tags
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: '${uniqueString(deployment().name, location)}-functionapp'
  params: {
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsWorkspaceId
    location: location
    planName: names.plan
    functionAppName: names.functionApp
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    tags: tags
  }
}

module roles 'modules/roles.bicep' = {
  name: '${uniqueString(deployment().name, location)}-roles'
  params: {
    principalId: functionApp.outputs.principalId
    functionAppName: names.functionApp
    storageAccountName: names.storageAccount
    keyVaultName: names.keyVault
    applicationInsightsName: names.applicationInsights
  }
  // Names rather than outputs where a module looks a resource up (`existing`): a deploy-time name keeps What-If
  // precise (linter rule what-if-short-circuiting), so the order is stated here.
  dependsOn: [
    keyVault
  ]
}

module avatars 'modules/avatars.bicep' = {
  name: '${uniqueString(deployment().name, location)}-avatars'
  params: {
    location: location
    storageAccountName: names.avatarStorageAccount
    skuName: storageSku
    containerName: names.avatarContainer
    principalId: functionApp.outputs.principalId
    functionAppName: names.functionApp
    tags: tags
  }
}

module frontDoor 'modules/frontdoor.bicep' = if (enableFrontDoor) {
  name: '${uniqueString(deployment().name, location)}-frontdoor'
  params: {
    profileName: names.frontDoorProfile
    endpointName: names.frontDoorEndpoint
    wafPolicyName: names.wafPolicy
    functionAppName: names.functionApp
    originHostName: functionApp.outputs.defaultHostName
    rateLimitPerMinute: frontDoorRateLimitPerMinute
    tags: tags
  }
}

// After the roles: the settings restart the app, and the Key Vault references and host storage must then be readable.
module appSettings 'modules/appsettings.bicep' = {
  name: '${uniqueString(deployment().name, location)}-appsettings'
  params: {
    functionAppName: names.functionApp
    storageAccountName: storage.outputs.storageAccountName
    tableEndpoint: storage.outputs.tableEndpoint
    tableName: storage.outputs.tableName
    blobEndpoint: avatars.outputs.blobEndpoint
    avatarContainerName: avatars.outputs.containerName
    avatarPublicBaseUrl: avatars.outputs.publicBaseUrl
    applicationInsightsName: names.applicationInsights
    keyVaultUri: keyVault.outputs.keyVaultUri
    appIds: appIds
    jwtIssuer: jwtIssuer
    // The Functions front end appends the address it accepted the connection from (ip:port) to X-Forwarded-For, so
    // the client is the last entry. Front Door first appends the client's socket IP ("If there's an existing XFF
    // header, then Front Door appends the client socket IP to it",
    // https://learn.microsoft.com/azure/frontdoor/front-door-http-headers-protocol), and the front end then appends
    // Front Door's address: the client is second from the right.
    forwardedHops: enableFrontDoor ? 2 : 1
    weChatApiBaseUrl: weChatApiBaseUrl
    // Which apps have which optional secret: app ids only, never a value.
    hasPreviousPublicKeys: !empty(jwtPreviousPublicKeys)
    serverKeyAppIds: intersection(appIds, objectKeys(appServerKeys))
    pushTokenAppIds: intersection(appIds, objectKeys(appPushTokens))
    pushAesKeyAppIds: intersection(appIds, objectKeys(appPushAesKeys))
  }
  dependsOn: [
    roles
  ]
}

@description('Name of the function app (for publishing and az commands).')
output functionAppName string = functionApp.outputs.functionAppName

@description('HTTPS base URL of the function app; the API lives under /api.')
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'

@description('HTTPS base URL of Front Door when enabled (the API lives under /api), else empty.')
output frontDoorUrl string = enableFrontDoor ? 'https://${frontDoor!.outputs.endpointHostName}' : ''

@description('Name of the Key Vault holding the secrets.')
output keyVaultName string = keyVault.outputs.keyVaultName

@description('Names of the Key Vault secrets every deployment creates (the private key, then one AppSecret per app id).')
output keyVaultSecretNames string[] = keyVault.outputs.secretNames

@description('Name of the storage account.')
output storageAccountName string = storage.outputs.storageAccountName

@description('Name of the storage account of the avatar images.')
output avatarStorageAccountName string = avatars.outputs.storageAccountName

@description('HTTPS base URL of the avatar images (Tianmu__Avatars__PublicBaseUrl).')
output avatarPublicBaseUrl string = avatars.outputs.publicBaseUrl
