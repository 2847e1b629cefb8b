// The client's words in English and French. The English ones are the portal's own
// (shared/portal-text.md); the French ones are ours, in the words the emails use.
// The chosen language is remembered in localStorage ("portal.language").

const STRINGS = {
  en: {
    brand: "NATO MULTIMEDIA ACCOUNT",
    tagline: "Access NATO’s broadcast-quality video content free of charge",
    skip: "Skip to content",
    siteTitle: "NATO Multimedia",
    navVideos: "Videos",
    navAccount: "Account",
    navLogin: "Log in",
    navRegister: "Register",
    navMenu: "Main menu",
    switchLanguage: "Français",
    switchLanguageLabel: "Lire ce site en français",
    close: "Close",
    working: "Please wait…",

    // Create an account
    registerTitle: "Create an account",
    registerSubmit: "Create an account",
    email: "Email address",
    password: "Password",
    showPassword: "Show password",
    hidePassword: "Hide password",
    haveAccount: "Already have an account?",
    passwordRules:
      "The password must be at least 12 characters long, no spaces, include upper/lowercase letters, numbers and symbols.",
    checklistTitle: "Your password",

    // Verification code
    verifyTitle: "Check your inbox and enter verification code",
    verifySent: "We have sent a verification code to your email address.",
    verifySentTo: "It went to {destination}.",
    verifyEnterSignup: "Enter the code to verify your account.",
    verifyEnterReset: "Enter the code to reset your password.",
    verifyEnterEmail: "Enter the code to confirm your new email address.",
    wrongAddress: "Wrong address?",
    changeAddress: "Change it",
    codeSentRecently:
      "A code was sent to this address a moment ago. If you have it, enter it; you can ask for another once the countdown ends.",
    hourlyLimit: "This address has had the most codes allowed in an hour. You can ask for another once the countdown ends.",
    verifyExpires: "This code will expire in {minutes} minutes.",
    verifyCode: "Verification code",
    verifyCodeHint: "6 digits",
    verifySubmit: "Verify",
    resetCodeSubmit: "Continue",
    noCode: "Didn't receive a code?",
    sendNewCode: "Send new Code",
    newCodeIn: "You can ask for a new code in {time}.",
    newCodeSent: "We have sent a new code. It replaces the previous one.",
    noPending: "Start by creating an account or asking to reset your password.",

    // Success
    welcomeTitle: "You have successfully created your account",
    welcomeText: "From now on you can download videos from our website",
    newsletterTitle: "Subscribe to our newsletter",
    newsletterText:
      "If you would also like to subscribe to the newsletter and receive our latest updates, click on the button below.",
    subscribe: "Subscribe",
    subscribed: "You have subscribed to our newsletter.",
    browseVideos: "Browse the videos",
    loginToSubscribe: "Log in to subscribe to the newsletter.",

    // Log in
    loginTitle: "Log in",
    loginSubmit: "Log in",
    forgotPassword: "Forgot your password?",
    noAccount: "No account yet?",
    enterCodeInstead: "Enter the verification code",
    loggedIn: "You are logged in.",
    loggedOut: "You have logged out.",
    loggedOutEverywhere: "You have logged out on every device.",
    loginToDownload: "Log in to download videos.",
    loginToContinue: "Log in to continue.",
    languageNotSaved: "Your language could not be saved to your account.",

    // Reset password
    resetTitle: "Reset password",
    resetText: "Enter the email address you registered with and we will send you a code to reset your password.",
    resetSubmit: "Reset password",
    newPasswordTitle: "Create a new password",
    newPassword: "New password",
    newPasswordSubmit: "Save the new password",
    updatedTitle: "Your password has been updated",
    updatedText: "Click the button to return to the page you were on and log in with your new password.",
    updatedButton: "Return and log in",
    codeAgain: "Enter the code again, or ask for a new one.",

    // Videos
    videosTitle: "Videos",
    search: "Search titles",
    searchSubmit: "Search",
    clearSearch: "Clear",
    perPage: "Videos per page",
    previousPage: "Previous page",
    nextPage: "Next page",
    pageN: "Page {n}",
    pages: "Pages",
    resultsFor: "Results for “{q}”",
    noVideos: "No videos match your search.",
    noVideosAtAll: "There are no videos yet.",
    loading: "Loading…",
    published: "Published {date}",
    duration: "Duration {duration}",
    videoLanguage: "Language: {language}",
    readMore: "Read more",
    posterAlt: "A frame from “{title}”",
    downloads: "Downloads",
    download: "Download {label}",
    downloadFull: "Download {label} of “{title}”",
    downloadStarted: "Your download of {filename} ({size}) has started.",
    downloadLinkNote: "If it does not start, use this link: {filename}",
    langNames: { en: "English", fr: "French" },

    // Account
    accountTitle: "Your account",
    accountEmail: "Email address",
    accountSince: "Member since {date}",
    accountLanguage: "Language",
    accountLanguageHelp: "Language of this site and of our emails to you",
    save: "Save",
    languageSaved: "Your language has been saved.",
    newsletterSection: "Newsletter",
    newsletterOn: "You are subscribed to our newsletter.",
    newsletterOff: "You are not subscribed to our newsletter.",
    unsubscribe: "Unsubscribe",
    unsubscribed: "You have unsubscribed from our newsletter.",
    // -- where you're signed in (web/screens/account-sessions.js) --
    sessions: {
      title: "Where you’re signed in",
      text: "Your account is signed in on these devices. If you do not recognise one, sign it out and change your password.",
      thisDevice: "This device",
      signedIn: "Signed in",
      lastUsed: "Last used",
      ip: "IP address",
      method: "Signed in with",
      // The API's methods (portal/account_sessions.py METHODS)
      methods: {
        password: "Password",
        "password + app code": "Password and authenticator app code",
        passkey: "Passkey",
      },
      end: "Sign out",
      ended: "{device} is signed out.",
    },
    // -- end: where you're signed in --
    logout: "Log out",
    logoutEverywhere: "Log out everywhere",
    deleteSection: "Delete account",
    deleteText: "Your account and its data will be deleted. This cannot be undone. Enter your password to confirm.",
    deleteSubmit: "Delete my account",
    deleted: "Your account has been deleted.",

    // Change password, change email, your downloads
    accessSection: "Password, address and downloads",
    backToAccount: "Back to your account",
    changePasswordTitle: "Change password",
    currentPassword: "Current password",
    changePasswordSubmit: "Change password",
    passwordChanged: "Your password has been changed. You are still logged in here; other devices were logged out.",
    changeEmailTitle: "Change email address",
    changeEmailText:
      "We will send a code to the new address. Your account keeps its current address until you enter the code.",
    newEmail: "New email address",
    changeEmailSubmit: "Send the code",
    emailChanged: "Your email address is now {email}.",
    downloadsTitle: "Your downloads",
    noDownloads: "You have not downloaded any videos yet.",
    moreDownloads: "Show more",
    downloadAgain: "Download again",
    downloadAgainFull: "Download “{title}” again",
    downloadedOn: "downloaded {date}",
    videoGone: "A video no longer in the catalogue",

    // Password checklist (the API's rule ids, portal/passwords.py RULE_IDS)
    rules: {
      minLength: "At least 12 characters",
      maxLength: "At most 128 characters",
      noWhitespace: "No spaces",
      noControlCharacters: "No invisible or control characters",
      uppercase: "An uppercase letter",
      lowercase: "A lowercase letter",
      digit: "A number",
      symbol: "A symbol",
      common: "Not a commonly used password",
      containsEmail: "Does not contain the first part of your email address",
      containsName: "Not built on the portal's name or your address",
    },
    ruleMet: "done",
    ruleUnmet: "not yet",
    ruleUnknown: "checked when you send it",
    unknownRule: "The password breaks a rule: {rule}",
    rulesNotMet: "Not met yet: {rules}.",

    // Errors: one per code of the API's vocabulary, and the client's own
    errors: {
      InvalidParameter: "Some of the information is not valid. Check the fields marked below.",
      InvalidPassword:
        "The password must be at least 12 characters long, no spaces, include upper/lowercase letters, numbers and symbols.",
      CodeMismatch: "The verification code is not correct.",
      ExpiredCode: "This code has expired or is no longer valid. Ask for a new code.",
      TooManyFailedAttempts: "Too many wrong codes were entered. Ask for a new code.",
      NotAuthorized: "Incorrect email address or password.",
      SessionEnded: "Your session has ended. Please log in again.",
      UserNotConfirmed: "Please verify your email address first.",
      PasswordResetRequired: "A password reset is required for this account. Use “Reset password” to choose a new one.",
      AliasExists: "Another account already uses this email address.",
      NotFound: "We could not find what you asked for.",
      MethodNotAllowed: "The request could not be processed. Please reload the page and try again.",
      RequestTooLarge: "What you sent is too long. Please shorten it and try again.",
      UnsupportedMediaType: "The request could not be processed. Please reload the page and try again.",
      LimitExceeded: "Too many requests. Please wait before trying again.",
      InternalError: "Something went wrong on our side. Please try again.",
      ServiceUnavailable: "The service is busy or unavailable. Please try again shortly.",
      NetworkError: "We could not reach the service. Check your connection and try again.",
      WrongPassword: "The password is not correct.",
      CodeUsedUp: "That was the last try: this code no longer works. Ask for a new code below.",
    },
    attemptsLeft: { one: "You have 1 attempt left.", other: "You have {n} attempts left." },
    retryIn: "You can try again in {time}.",
    retryNow: "You can try again now.",
    fields: {
      email: "Enter a valid email address.",
      code: "Enter the 6-digit code from the email.",
      password: "Enter your password.",
      newPassword: "Enter a new password.",
      currentPassword: "Enter your current password.",
      newEmail: "Enter a valid email address.",
      q: "Shorten the search to at most 200 characters.",
      other: "Check this field.",
    },
    required: "This field is required.",

    // -- two-step verification (issue 15): the account's section and the sign-in's second step --
    twoStep: {
      title: "Two-step verification",
      off: "Two-step verification is off. Turn it on and signing in will ask, after your password, for a code from an authenticator app on your phone.",
      on: "Two-step verification is on: signing in asks for a code from your authenticator app after your password.",
      codesLeft: { one: "You have {n} recovery code left.", other: "You have {n} recovery codes left." },
      startText: "Enter your password to set up an authenticator app.",
      start: "Set up two-step verification",
      setupTitle: "Add your account to the app",
      scan: "Scan this QR code with your authenticator app.",
      qrAlt: "QR code that adds your NATO Multimedia account to an authenticator app",
      typeKey: "Cannot scan it? Type this key into the app instead:",
      key: "Key, in groups of four characters",
      enterCode: "Then enter the 6-digit code the app shows.",
      appCode: "Code from the app",
      appCodeHint: "6 digits",
      confirm: "Turn on",
      cancel: "Cancel",
      codesTitle: "Your recovery codes",
      codesText:
        "If you lose your phone, each of these codes signs you in once instead of a code from the app. Keep them somewhere safe: they are shown only this once.",
      copy: "Copy",
      copied: "The recovery codes have been copied.",
      copyFailed: "They could not be copied. Select them and copy them yourself, or download them.",
      download: "Download",
      downloaded: "The recovery codes have been saved as {filename}.",
      fileName: "nato-multimedia-recovery-codes.txt",
      fileTitle: "NATO Multimedia: recovery codes for {email}",
      fileText: "Each code signs you in once instead of a code from your authenticator app.",
      saved: "I have saved them",
      turnedOn: "Two-step verification is on.",
      codeOrRecovery: "Code from the app, or a recovery code",
      codeOrRecoveryHint: "6 digits, or a recovery code such as abcde-12345",
      turnOffTitle: "Turn off",
      turnOffText: "Enter your password and a code from your app (or a recovery code).",
      turnOff: "Turn off two-step verification",
      turnedOff: "Two-step verification is off.",
      newCodesTitle: "New recovery codes",
      newCodesText:
        "Your current recovery codes will stop working. Enter your password and a code from your app (or a recovery code).",
      newCodes: "Get new recovery codes",
      wrongCode: "The code is not correct.",
      setupExpired: "This set-up has expired. Start again.",
      fieldAppCode: "Enter the 6-digit code from your app.",
      fieldCodeOrRecovery: "Enter a code from your app or a recovery code.",
      fieldRecoveryCode: "Enter one of your recovery codes.",
      signInTitle: "Two-step verification",
      signInText: "Open your authenticator app and enter the code it shows for NATO Multimedia.",
      recoveryText: "Enter one of your recovery codes. Each one works once.",
      recoveryCode: "Recovery code",
      recoveryHint: "10 letters and numbers, such as abcde-12345",
      useRecovery: "Use a recovery code",
      useApp: "Use a code from the app",
      expired: "This sign-in has expired. Enter your password again.",
      lastTry: "That was the last try for this sign-in. Enter your password again.",
    },
  },

  fr: {
    brand: "COMPTE MULTIMÉDIA DE L'OTAN",
    tagline: "Accédez gratuitement aux vidéos de qualité broadcast de l'OTAN",
    skip: "Aller au contenu",
    siteTitle: "Multimédia OTAN",
    navVideos: "Vidéos",
    navAccount: "Compte",
    navLogin: "Se connecter",
    navRegister: "S'inscrire",
    navMenu: "Menu principal",
    switchLanguage: "English",
    switchLanguageLabel: "Read this site in English",
    close: "Fermer",
    working: "Veuillez patienter…",

    registerTitle: "Créer un compte",
    registerSubmit: "Créer un compte",
    email: "Adresse e-mail",
    password: "Mot de passe",
    showPassword: "Afficher le mot de passe",
    hidePassword: "Masquer le mot de passe",
    haveAccount: "Vous avez déjà un compte\u00a0?",
    passwordRules:
      "Le mot de passe doit comporter au moins 12 caractères, sans espace, et inclure des majuscules, des minuscules, des chiffres et des symboles.",
    checklistTitle: "Votre mot de passe",

    verifyTitle: "Consultez votre boîte de réception et saisissez le code de vérification",
    verifySent: "Nous vous avons envoyé un code de vérification à votre adresse e-mail.",
    verifySentTo: "Il a été envoyé à {destination}.",
    verifyEnterSignup: "Saisissez ce code pour vérifier votre compte.",
    verifyEnterReset: "Saisissez ce code pour réinitialiser votre mot de passe.",
    verifyEnterEmail: "Saisissez ce code pour confirmer votre nouvelle adresse e-mail.",
    wrongAddress: "Adresse erronée\u00a0?",
    changeAddress: "La modifier",
    codeSentRecently:
      "Un code vient d'être envoyé à cette adresse. Si vous l'avez, saisissez-le\u00a0; vous pourrez en demander un autre à la fin du compte à rebours.",
    hourlyLimit:
      "Cette adresse a reçu le nombre maximal de codes autorisé en une heure. Vous pourrez en demander un autre à la fin du compte à rebours.",
    verifyExpires: "Ce code expirera dans {minutes}\u00a0minutes.",
    verifyCode: "Code de vérification",
    verifyCodeHint: "6 chiffres",
    verifySubmit: "Vérifier",
    resetCodeSubmit: "Continuer",
    noCode: "Vous n'avez pas reçu de code\u00a0?",
    sendNewCode: "Envoyer un nouveau code",
    newCodeIn: "Vous pourrez demander un nouveau code dans {time}.",
    newCodeSent: "Nous avons envoyé un nouveau code. Il remplace le précédent.",
    noPending: "Commencez par créer un compte ou par demander à réinitialiser votre mot de passe.",

    welcomeTitle: "Votre compte a bien été créé",
    welcomeText: "Vous pouvez désormais télécharger des vidéos depuis notre site",
    newsletterTitle: "Abonnez-vous à notre lettre d'information",
    newsletterText:
      "Si vous souhaitez également vous abonner à la lettre d'information et recevoir nos dernières nouvelles, cliquez sur le bouton ci-dessous.",
    subscribe: "S'abonner",
    subscribed: "Vous êtes abonné(e) à notre lettre d'information.",
    browseVideos: "Parcourir les vidéos",
    loginToSubscribe: "Connectez-vous pour vous abonner à la lettre d'information.",

    loginTitle: "Se connecter",
    loginSubmit: "Se connecter",
    forgotPassword: "Mot de passe oublié\u00a0?",
    noAccount: "Pas encore de compte\u00a0?",
    enterCodeInstead: "Saisir le code de vérification",
    loggedIn: "Vous êtes connecté(e).",
    loggedOut: "Vous êtes déconnecté(e).",
    loggedOutEverywhere: "Vous êtes déconnecté(e) sur tous vos appareils.",
    loginToDownload: "Connectez-vous pour télécharger des vidéos.",
    loginToContinue: "Connectez-vous pour continuer.",
    languageNotSaved: "Votre langue n'a pas pu être enregistrée dans votre compte.",

    resetTitle: "Réinitialiser le mot de passe",
    resetText:
      "Saisissez l'adresse e-mail avec laquelle vous vous êtes inscrit(e) et nous vous enverrons un code pour réinitialiser votre mot de passe.",
    resetSubmit: "Réinitialiser le mot de passe",
    newPasswordTitle: "Créer un nouveau mot de passe",
    newPassword: "Nouveau mot de passe",
    newPasswordSubmit: "Enregistrer le nouveau mot de passe",
    updatedTitle: "Votre mot de passe a été mis à jour",
    updatedText:
      "Cliquez sur le bouton pour revenir à la page où vous étiez et vous connecter avec votre nouveau mot de passe.",
    updatedButton: "Revenir et se connecter",
    codeAgain: "Saisissez de nouveau le code, ou demandez-en un nouveau.",

    videosTitle: "Vidéos",
    search: "Rechercher dans les titres",
    searchSubmit: "Rechercher",
    clearSearch: "Effacer",
    perPage: "Vidéos par page",
    previousPage: "Page précédente",
    nextPage: "Page suivante",
    pageN: "Page {n}",
    pages: "Pages",
    resultsFor: "Résultats pour «\u00a0{q}\u00a0»",
    noVideos: "Aucune vidéo ne correspond à votre recherche.",
    noVideosAtAll: "Il n'y a pas encore de vidéo.",
    loading: "Chargement…",
    published: "Publiée le {date}",
    duration: "Durée\u00a0: {duration}",
    videoLanguage: "Langue\u00a0: {language}",
    readMore: "Lire la suite",
    posterAlt: "Une image de «\u00a0{title}\u00a0»",
    downloads: "Téléchargements",
    download: "Télécharger {label}",
    downloadFull: "Télécharger {label} de «\u00a0{title}\u00a0»",
    downloadStarted: "Le téléchargement de {filename} ({size}) a commencé.",
    downloadLinkNote: "S'il ne démarre pas, utilisez ce lien\u00a0: {filename}",
    langNames: { en: "anglais", fr: "français" },

    accountTitle: "Votre compte",
    accountEmail: "Adresse e-mail",
    accountSince: "Membre depuis le {date}",
    accountLanguage: "Langue",
    accountLanguageHelp: "Langue de ce site et de nos e-mails",
    save: "Enregistrer",
    languageSaved: "Votre langue a été enregistrée.",
    newsletterSection: "Lettre d'information",
    newsletterOn: "Vous êtes abonné(e) à notre lettre d'information.",
    newsletterOff: "Vous n'êtes pas abonné(e) à notre lettre d'information.",
    unsubscribe: "Se désabonner",
    unsubscribed: "Vous êtes désabonné(e) de notre lettre d'information.",
    // -- where you're signed in (web/screens/account-sessions.js) --
    sessions: {
      title: "Où vous êtes connecté(e)",
      text: "Votre compte est connecté sur ces appareils. Si vous n'en reconnaissez pas un, déconnectez-le et changez votre mot de passe.",
      thisDevice: "Cet appareil",
      signedIn: "Connexion",
      lastUsed: "Dernière utilisation",
      ip: "Adresse IP",
      method: "Connecté(e) avec",
      methods: {
        password: "Mot de passe",
        "password + app code": "Mot de passe et code de l'application d'authentification",
        passkey: "Clé d'accès",
      },
      end: "Déconnecter",
      ended: "Appareil déconnecté\u00a0: {device}.",
    },
    // -- end: where you're signed in --
    logout: "Se déconnecter",
    logoutEverywhere: "Se déconnecter partout",
    deleteSection: "Supprimer le compte",
    deleteText:
      "Votre compte et ses données seront supprimés. C'est définitif. Saisissez votre mot de passe pour confirmer.",
    deleteSubmit: "Supprimer mon compte",
    deleted: "Votre compte a été supprimé.",

    accessSection: "Mot de passe, adresse et téléchargements",
    backToAccount: "Retour à votre compte",
    changePasswordTitle: "Changer de mot de passe",
    currentPassword: "Mot de passe actuel",
    changePasswordSubmit: "Changer de mot de passe",
    passwordChanged:
      "Votre mot de passe a été changé. Vous restez connecté(e) ici\u00a0; vos autres appareils ont été déconnectés.",
    changeEmailTitle: "Changer d'adresse e-mail",
    changeEmailText:
      "Nous enverrons un code à la nouvelle adresse. Votre compte garde son adresse actuelle jusqu'à ce que vous saisissiez le code.",
    newEmail: "Nouvelle adresse e-mail",
    changeEmailSubmit: "Envoyer le code",
    emailChanged: "Votre adresse e-mail est désormais {email}.",
    downloadsTitle: "Vos téléchargements",
    noDownloads: "Vous n'avez encore téléchargé aucune vidéo.",
    moreDownloads: "Afficher plus",
    downloadAgain: "Télécharger de nouveau",
    downloadAgainFull: "Télécharger de nouveau «\u00a0{title}\u00a0»",
    downloadedOn: "téléchargée le {date}",
    videoGone: "Une vidéo qui n'est plus au catalogue",

    rules: {
      minLength: "Au moins 12 caractères",
      maxLength: "Au plus 128 caractères",
      noWhitespace: "Sans espace",
      noControlCharacters: "Sans caractère invisible ni de contrôle",
      uppercase: "Une lettre majuscule",
      lowercase: "Une lettre minuscule",
      digit: "Un chiffre",
      symbol: "Un symbole",
      common: "Pas un mot de passe courant",
      containsEmail: "Ne contient pas la première partie de votre adresse e-mail",
      containsName: "Pas construit sur le nom du portail ou sur votre adresse",
    },
    ruleMet: "fait",
    ruleUnmet: "pas encore",
    ruleUnknown: "vérifié à l'envoi",
    unknownRule: "Le mot de passe ne respecte pas une règle\u00a0: {rule}",
    rulesNotMet: "Règles non respectées\u00a0: {rules}.",

    errors: {
      InvalidParameter: "Certaines informations ne sont pas valides. Vérifiez les champs signalés ci-dessous.",
      InvalidPassword:
        "Le mot de passe doit comporter au moins 12 caractères, sans espace, et inclure des majuscules, des minuscules, des chiffres et des symboles.",
      CodeMismatch: "Le code de vérification est incorrect.",
      ExpiredCode: "Ce code a expiré ou n'est plus valide. Demandez un nouveau code.",
      TooManyFailedAttempts: "Trop de codes erronés ont été saisis. Demandez un nouveau code.",
      NotAuthorized: "Adresse e-mail ou mot de passe incorrect.",
      SessionEnded: "Votre session a pris fin. Veuillez vous reconnecter.",
      UserNotConfirmed: "Veuillez d'abord vérifier votre adresse e-mail.",
      PasswordResetRequired:
        "Une réinitialisation du mot de passe est nécessaire pour ce compte. Utilisez «\u00a0Réinitialiser le mot de passe\u00a0» pour en choisir un nouveau.",
      AliasExists: "Un autre compte utilise déjà cette adresse e-mail.",
      NotFound: "Nous n'avons pas trouvé ce que vous cherchez.",
      MethodNotAllowed: "La demande n'a pas pu être traitée. Rechargez la page et réessayez.",
      RequestTooLarge: "Ce que vous avez envoyé est trop long. Raccourcissez-le et réessayez.",
      UnsupportedMediaType: "La demande n'a pas pu être traitée. Rechargez la page et réessayez.",
      LimitExceeded: "Trop de demandes. Veuillez patienter avant de réessayer.",
      InternalError: "Une erreur s'est produite de notre côté. Veuillez réessayer.",
      ServiceUnavailable: "Le service est occupé ou indisponible. Veuillez réessayer dans un instant.",
      NetworkError: "Impossible de joindre le service. Vérifiez votre connexion et réessayez.",
      WrongPassword: "Le mot de passe est incorrect.",
      CodeUsedUp: "C'était le dernier essai\u00a0: ce code ne fonctionne plus. Demandez un nouveau code ci-dessous.",
    },
    attemptsLeft: { one: "Il vous reste 1 essai.", other: "Il vous reste {n} essais." },
    retryIn: "Vous pourrez réessayer dans {time}.",
    retryNow: "Vous pouvez réessayer maintenant.",
    fields: {
      email: "Saisissez une adresse e-mail valide.",
      code: "Saisissez le code à 6 chiffres reçu par e-mail.",
      password: "Saisissez votre mot de passe.",
      newPassword: "Saisissez un nouveau mot de passe.",
      currentPassword: "Saisissez votre mot de passe actuel.",
      newEmail: "Saisissez une adresse e-mail valide.",
      q: "Raccourcissez la recherche à 200 caractères au plus.",
      other: "Vérifiez ce champ.",
    },
    required: "Ce champ est obligatoire.",

    // -- two-step verification (issue 15) --
    twoStep: {
      title: "Validation en deux étapes",
      off: "La validation en deux étapes est désactivée. Activez-la et, après votre mot de passe, la connexion demandera un code de l'application d'authentification de votre téléphone.",
      on: "La validation en deux étapes est activée\u00a0: après votre mot de passe, la connexion demande un code de votre application d'authentification.",
      codesLeft: { one: "Il vous reste {n}\u00a0code de secours.", other: "Il vous reste {n}\u00a0codes de secours." },
      startText: "Saisissez votre mot de passe pour configurer une application d'authentification.",
      start: "Configurer la validation en deux étapes",
      setupTitle: "Ajoutez votre compte à l'application",
      scan: "Scannez ce code QR avec votre application d'authentification.",
      qrAlt: "Code QR qui ajoute votre compte multimédia de l'OTAN à une application d'authentification",
      typeKey: "Impossible de le scanner\u00a0? Saisissez plutôt cette clé dans l'application\u00a0:",
      key: "Clé, par groupes de quatre caractères",
      enterCode: "Saisissez ensuite le code à 6\u00a0chiffres affiché par l'application.",
      appCode: "Code de l'application",
      appCodeHint: "6 chiffres",
      confirm: "Activer",
      cancel: "Annuler",
      codesTitle: "Vos codes de secours",
      codesText:
        "Si vous perdez votre téléphone, chacun de ces codes vous connecte une fois à la place d'un code de l'application. Conservez-les en lieu sûr\u00a0: ils ne sont affichés que cette fois.",
      copy: "Copier",
      copied: "Les codes de secours ont été copiés.",
      copyFailed: "Ils n'ont pas pu être copiés. Sélectionnez-les et copiez-les vous-même, ou téléchargez-les.",
      download: "Télécharger",
      downloaded: "Les codes de secours ont été enregistrés dans {filename}.",
      fileName: "codes-de-secours-multimedia-otan.txt",
      fileTitle: "Multimédia OTAN\u00a0: codes de secours de {email}",
      fileText: "Chaque code vous connecte une fois à la place d'un code de votre application d'authentification.",
      saved: "Je les ai conservés",
      turnedOn: "La validation en deux étapes est activée.",
      codeOrRecovery: "Code de l'application ou code de secours",
      codeOrRecoveryHint: "6 chiffres, ou un code de secours comme abcde-12345",
      turnOffTitle: "Désactiver",
      turnOffText: "Saisissez votre mot de passe et un code de l'application (ou un code de secours).",
      turnOff: "Désactiver la validation en deux étapes",
      turnedOff: "La validation en deux étapes est désactivée.",
      newCodesTitle: "Nouveaux codes de secours",
      newCodesText:
        "Vos codes de secours actuels ne fonctionneront plus. Saisissez votre mot de passe et un code de l'application (ou un code de secours).",
      newCodes: "Obtenir de nouveaux codes de secours",
      wrongCode: "Le code est incorrect.",
      setupExpired: "Cette configuration a expiré. Recommencez.",
      fieldAppCode: "Saisissez le code à 6\u00a0chiffres de votre application.",
      fieldCodeOrRecovery: "Saisissez un code de l'application ou un code de secours.",
      fieldRecoveryCode: "Saisissez l'un de vos codes de secours.",
      signInTitle: "Validation en deux étapes",
      signInText: "Ouvrez votre application d'authentification et saisissez le code qu'elle affiche pour Multimédia OTAN.",
      recoveryText: "Saisissez l'un de vos codes de secours. Chacun ne fonctionne qu'une fois.",
      recoveryCode: "Code de secours",
      recoveryHint: "10 lettres et chiffres, par exemple abcde-12345",
      useRecovery: "Utiliser un code de secours",
      useApp: "Utiliser un code de l'application",
      expired: "Cette connexion a expiré. Saisissez de nouveau votre mot de passe.",
      lastTry: "C'était le dernier essai pour cette connexion. Saisissez de nouveau votre mot de passe.",
    },
  },
};

// -- passkeys (issue 16): the account's "Passkeys" section and "Sign in with a passkey" ------
STRINGS.en.passkeys = {
  section: "Passkeys",
  intro: "Sign in with your fingerprint, your face, your device's screen lock or a security key, without a password.",
  none: "You have no passkeys yet.",
  created: "Added {date}",
  lastUsed: "last used {date}",
  neverUsed: "not used yet",
  name: "Name of the new passkey",
  nameHint: "So that you can tell your passkeys apart: the device it is on, for example.",
  nameRequired: "Enter a name for the passkey.",
  deviceName: "{browser} on {system}",
  add: "Add a passkey",
  passwordAgain: "For your security, enter your password again to add a passkey.",
  added: "Your passkey “{name}” has been added. You can now sign in with it.",
  cancelled: "No passkey was added.",
  exists: "This device already holds a passkey for your account.",
  notAdded: "This passkey could not be added. Please try again.",
  failed: "Your browser could not use a passkey here. Please try again.",
  unsupported: "This browser cannot add passkeys on this page. You can still rename and remove the ones you have.",
  rename: "Rename",
  renameFull: "Rename “{name}”",
  newName: "New name for “{name}”",
  cancel: "Cancel",
  renamed: "The passkey is now called “{name}”.",
  remove: "Remove",
  removeFull: "Remove “{name}”",
  removeConfirm: "Remove “{name}”? You will no longer be able to sign in with it.",
  removeYes: "Remove the passkey",
  keep: "Keep it",
  removed: "The passkey “{name}” has been removed.",
  signIn: "Sign in with a passkey",
  or: "or",
  refused:
    "This passkey could not be used to sign in. It may have been removed from your account: log in with your email address and password.",
};
STRINGS.fr.passkeys = {
  section: "Clés d'accès",
  intro:
    "Connectez-vous avec votre empreinte, votre visage, le verrouillage de votre appareil ou une clé de sécurité, sans mot de passe.",
  none: "Vous n'avez pas encore de clé d'accès.",
  created: "Ajoutée le {date}",
  lastUsed: "dernière utilisation le {date}",
  neverUsed: "pas encore utilisée",
  name: "Nom de la nouvelle clé d'accès",
  nameHint: "Pour distinguer vos clés d'accès\u00a0: l'appareil où elle se trouve, par exemple.",
  nameRequired: "Saisissez un nom pour la clé d'accès.",
  deviceName: "{browser} sur {system}",
  add: "Ajouter une clé d'accès",
  passwordAgain: "Par sécurité, saisissez à nouveau votre mot de passe pour ajouter une clé d'accès.",
  added: "Votre clé d'accès «\u00a0{name}\u00a0» a été ajoutée. Vous pouvez maintenant vous connecter avec elle.",
  cancelled: "Aucune clé d'accès n'a été ajoutée.",
  exists: "Cet appareil contient déjà une clé d'accès pour votre compte.",
  notAdded: "Cette clé d'accès n'a pas pu être ajoutée. Veuillez réessayer.",
  failed: "Votre navigateur n'a pas pu utiliser de clé d'accès ici. Veuillez réessayer.",
  unsupported:
    "Ce navigateur ne peut pas ajouter de clé d'accès sur cette page. Vous pouvez toujours renommer et supprimer celles que vous avez.",
  rename: "Renommer",
  renameFull: "Renommer «\u00a0{name}\u00a0»",
  newName: "Nouveau nom de «\u00a0{name}\u00a0»",
  cancel: "Annuler",
  renamed: "La clé d'accès s'appelle désormais «\u00a0{name}\u00a0».",
  remove: "Supprimer",
  removeFull: "Supprimer «\u00a0{name}\u00a0»",
  removeConfirm: "Supprimer «\u00a0{name}\u00a0»\u00a0? Vous ne pourrez plus vous connecter avec elle.",
  removeYes: "Supprimer la clé d'accès",
  keep: "La garder",
  removed: "La clé d'accès «\u00a0{name}\u00a0» a été supprimée.",
  signIn: "Se connecter avec une clé d'accès",
  or: "ou",
  refused:
    "Cette clé d'accès n'a pas pu être utilisée pour vous connecter. Elle a peut-être été supprimée de votre compte\u00a0: connectez-vous avec votre adresse e-mail et votre mot de passe.",
};
// -- end of passkeys ----------------------------------------------------------------------

export const LANGUAGES = Object.keys(STRINGS);
const STORAGE_KEY = "portal.language";
let current = initialLanguage();

function initialLanguage() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be off (privacy settings): fall back to the browser's language.
  }
  if (LANGUAGES.includes(saved)) return saved;
  const preferred = (navigator.languages || [navigator.language || "en"]).map((l) => l.slice(0, 2).toLowerCase());
  return preferred.find((l) => LANGUAGES.includes(l)) || "en";
}

/** The language picked on this device (switch or account), or null when it came from the browser. */
export function chosenLanguage() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    return LANGUAGES.includes(saved) ? saved : null;
  } catch {
    return null;
  }
}

export function language() {
  return current;
}

export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang)) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered then; the page still switches.
  }
  document.documentElement.lang = lang;
}

/** The string at a dotted key ("errors.CodeMismatch"), with {name} placeholders filled. */
export function t(key, vars = {}) {
  let value = key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), STRINGS[current]);
  if (value === undefined)
    value = key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), STRINGS.en);
  if (typeof value !== "string") return value === undefined ? key : value;
  return value.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? String(vars[name]) : match));
}

/** A plural form ({one, other}) chosen for n in the current language. */
export function plural(key, n) {
  const forms = t(key);
  const form = new Intl.PluralRules(current).select(n);
  return (forms[form] || forms.other).replace("{n}", String(n));
}

export function formatDate(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const format = new Intl.DateTimeFormat(current === "fr" ? "fr-FR" : "en-GB", { dateStyle: "long", timeZone: "UTC" });
  // French writes the first day of a month as an ordinal: "1er décembre", not "1 décembre".
  return format
    .formatToParts(date)
    .map(({ type, value }) => (current === "fr" && type === "day" && value === "1" ? "1er" : value))
    .join("");
}

export function formatSize(bytes) {
  const units = current === "fr" ? ["o", "Ko", "Mo", "Go"] : ["B", "KB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const number = new Intl.NumberFormat(current, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value);
  return `${number}\u00a0${units[unit]}`;
}

/** Seconds as m:ss, or h:mm:ss from an hour up. */
export function formatCountdown(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

export function formatDuration(seconds) {
  return formatCountdown(seconds);
}
